package main

import "errors"

var (
	errStdinDir    = errors.New("standard input is a directory, not content")
	errStdinClosed = errors.New("standard input is closed: nothing to write (an empty file needs </dev/null)")
)
