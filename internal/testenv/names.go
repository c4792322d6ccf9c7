package testenv

import "strings"

// HostileNames are file names that a write must handle like any other:
// newlines, spaces, leading dashes, bytes that are not UTF-8, glob
// characters, and names of the longest length a name may have (which the
// temp name must shorten, even in the middle of a multi-byte character).
var HostileNames = []string{
	"new\nline",
	"with space",
	" leading and trailing ",
	"-leading-dash",
	"--",
	"-m",
	"\xff\xfe not UTF-8 \x80",
	"tab\there",
	"*?[glob]",
	"...",
	".hidden",
	strings.Repeat("x", 255),
	strings.Repeat("é", 127) + "x",
	strings.Repeat("\xff", 255),
}
