package protocol

import "testing"

// split cuts at the last separator, keeping a root's, as the walk needs.
func TestSplit(t *testing.T) {
	cases := append([]splitCase{
		{"f", ".", "f"},
		{"d/f", "d", "f"},
		{"d//f", "d/", "f"},
		{"/f", "/", "f"},
		{"/d/e/f", "/d/e", "f"},
		{"d/", "d", ""},
		{"/", "/", ""},
		{"", ".", ""},
		{"./f", ".", "f"},
		{"../f", "..", "f"},
	}, splitOS...)
	for _, c := range cases {
		if dir, base := split(c.path); dir != c.dir || base != c.base {
			t.Errorf("split(%q) = %q, %q; want %q, %q", c.path, dir, base, c.dir, c.base)
		}
	}
}

type splitCase struct{ path, dir, base string }
