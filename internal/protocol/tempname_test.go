package protocol

import (
	"strings"
	"testing"
)

// A temp's name is the target's, shortened to fit, and 16 hex digits; the
// parser reads back what randomName makes.
func TestRandomName(t *testing.T) {
	long := strings.Repeat("n", nameMax)
	for _, c := range []struct {
		base string
		r    uint64
		want string
	}{
		{"x", 0x0123456789abcdef, ".x.0123456789abcdef.aw-tmp"},
		{"cert.pem", 0, ".cert.pem.0000000000000000.aw-tmp"},
		{"a b", 1<<64 - 1, ".a b.ffffffffffffffff.aw-tmp"},
		{long, 10, "." + long[:nameMax-2-hexLen-len(tempSuffix)] + ".000000000000000a.aw-tmp"},
	} {
		got := randomName(c.base, tempSuffix, c.r)
		if got != c.want {
			t.Errorf("randomName(%.10q…, %x) = %.40q…, want %.40q…", c.base, c.r, got, c.want)
		}
		if len(got) > nameMax {
			t.Errorf("randomName(%.10q…) is %d bytes long, more than %d", c.base, len(got), nameMax)
		}
		if !isNameOf(got, c.base, tempSuffix) || parseName(got, tempSuffix) != shortened(c.base, tempSuffix) {
			t.Errorf("%.40q… is not read back as a temp name of %.10q…", got, c.base)
		}
	}
}
