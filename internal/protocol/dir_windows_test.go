package protocol

// Windows has two separators and volume names: a volume's root keeps its
// separator, and a volume without one (a drive's working directory) is
// a directory of its own.
var splitOS = []splitCase{
	{`d\f`, "d", "f"},
	{`d\e/f`, `d\e`, "f"},
	{`C:\f`, `C:\`, "f"},
	{`C:\d\f`, `C:\d`, "f"},
	{`C:f`, "C:", "f"},
	{`C:`, "C:", ""},
	{`C:\`, `C:\`, ""},
	{`\\srv\share\f`, `\\srv\share\`, "f"},
	{`\\srv\share\d\f`, `\\srv\share\d`, "f"},
	{`\f`, `\`, "f"},
	{"//srv/share/f", "//srv/share/", "f"},
}
