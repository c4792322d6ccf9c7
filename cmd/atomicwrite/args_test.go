package main

import (
	"fmt"
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

// Options parse as getopt_long has them: one-letter ones combined, the
// last taking its value attached or from the next word, long ones with two
// dashes (or one) and "=" or the next word.
func TestParseOptions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // the command, as describe gives it; or the start of the error
	}{
		{[]string{"-en", "x"}, "e n m[] d\"\\x00\" x"},
		{[]string{"-enp", "x"}, "e n p m[] d\"\\x00\" x"},
		{[]string{"-m600", "x"}, "m[-rw-------] d\"\\x00\" x"},
		{[]string{"-m", "600", "x"}, "m[-rw-------] d\"\\x00\" x"},
		{[]string{"-m=600", "x"}, "m[-rw-------] d\"\\x00\" x"},
		{[]string{"--mode=600", "x"}, "m[-rw-------] d\"\\x00\" x"},
		{[]string{"--mode", "600", "x"}, "m[-rw-------] d\"\\x00\" x"},
		{[]string{"-enm644", "x"}, "e n m[-rw-r--r--] d\"\\x00\" x"},
		{[]string{"-em", "644", "x"}, "e m[-rw-r--r--] d\"\\x00\" x"},
		{[]string{"-d,", "x", "y"}, "m[] d\",\" x y"},
		{[]string{"-d=,", "x", "y"}, "m[] d\",\" x y"},
		{[]string{"-rold", "x"}, "m[] d\"\\x00\" r[old] x"},
		{[]string{"-recover", "dir"}, "recover dir"},
		{[]string{"--recover", "--wait=0", "dir"}, "recover dir"},
		{[]string{"-ex", "x"}, "flag provided but not defined: -x (in -ex)"},
		{[]string{"-x", "x"}, "flag provided but not defined: -x"},
		{[]string{"--mod=600", "x"}, "flag provided but not defined: --mod=600"},
		{[]string{"-em"}, "flag -em needs a value"},
		{[]string{"--no-empty=1", "x"}, "flag --no-empty=1 takes no value"},
	} {
		c, err := parseArgs(tt.args)
		got := describe(c)
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q: %s, want %s", tt.args, got, tt.want)
		}
	}
}

// describe is the command c in a few words, for TestParseOptions.
func describe(c command) string {
	var w []string
	if c.recover {
		return strings.Join(append([]string{"recover"}, c.paths...), " ")
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{c.noEmpty, "e"}, {c.noClobber, "n"}, {c.parents, "p"}} {
		if f.on {
			w = append(w, f.name)
		}
	}
	w = append(w, fmt.Sprintf("m%v", c.modes), fmt.Sprintf("d%q", c.delim))
	if c.removes != nil {
		w = append(w, fmt.Sprintf("r%v", c.removes))
	}
	return strings.Join(append(w, c.paths...), " ")
}
