// Command atomicwrite writes standard input to files atomically and durably.
//
// Usage:
//
//	atomicwrite [-m MODE] [-d DELIM] [--] PATH...
//	atomicwrite --recover DIR...
//
// With one PATH, standard input, as raw bytes, becomes the new content of
// PATH. With several, standard input is split on DELIM (default: a NUL
// byte) into one chunk per PATH, in order, and all of them are written as
// one transaction. A DELIM at the very end of the input ends the last chunk
// rather than starting a new one, as with find -print0. DELIM understands
// the escapes \n, \t, \0 and \\.
//
// -m MODE gives every written file the octal mode MODE, as chmod does
// (4755 is setuid plus 0755); without it a replaced file keeps its mode and
// a new one gets 0666 minus the umask.
//
// --recover DIR... cleans up after writers that were killed: it finishes
// each transaction that had passed its commit point (the intent journal
// in DIR), and removes the temp files that dead writers left there.
//
// Exit status: 0 on success, 1 when the write failed, 2 for a usage error
// (no PATH, a bad flag or mode, a chunk count that does not match the PATHs,
// the same target twice). On any failure nothing is written and no temp file
// is left behind; one line on standard error, starting "atomicwrite: ",
// names the path and the cause.
package main
