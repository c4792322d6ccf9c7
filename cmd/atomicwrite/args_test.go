package main

import (
	"slices"
	"strings"
	"testing"
)

// -c takes sums as sha256sum prints them: of either case, with the file
// name after them, one line per file; or comma-separated; - for a PATH
// that must not exist.
func TestParseSums(t *testing.T) {
	const a = "cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4"
	const b = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tt := range []struct {
		value string
		paths int
		want  []string // nil: a usage error
	}{
		{a, 1, []string{a}},
		{strings.ToUpper(a), 1, []string{a}},
		{a + "  x", 1, []string{a}},
		{`\` + a + `  x\nname`, 1, []string{a}},
		{a + "  x\n" + b + " *y\n", 2, []string{a, b}},
		{a + ",-", 2, []string{a, "-"}},
		{a, 2, nil},
		{a[1:], 1, nil},
		{"", 1, nil},
	} {
		got, err := parseSums(tt.value, tt.paths)
		if tt.want == nil {
			if err == nil {
				t.Errorf("parseSums(%q, %d) = %v, want a usage error", tt.value, tt.paths, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("parseSums(%q, %d) = %v, %v, want %v", tt.value, tt.paths, got, err, tt.want)
		}
	}
}
