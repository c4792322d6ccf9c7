//go:build unix

package protocol

// A backslash is a file name's byte on Unix, not a separator.
var splitOS = []splitCase{
	{`d\f`, ".", `d\f`},
	{`C:\d\f`, ".", `C:\d\f`},
	{"//f", "/", "f"},
}
