package protocol

import (
	"strconv"
	"testing"
)

// The journal's quoting shortcut writes exactly what strconv.AppendQuote
// writes, which is what the decoder unquotes.
func TestAppendQuoteMatchesStrconv(t *testing.T) {
	for _, s := range []string{
		"", "f0001", ".f0001.0123456789abcdef.aw-tmp", "/abs/dir with space", "~tilde",
		`quote"`, `back\slash`, "new\nline", "tab\t", "\x7f", "\xff", "é", "\x00",
	} {
		if got, want := string(appendQuote(nil, s)), strconv.Quote(s); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	}
}
