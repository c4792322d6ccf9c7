// Command atomicwrite writes standard input to files atomically and durably.
//
// Usage:
//
//	atomicwrite [-e] [-m MODE[,MODE...]] [-d DELIM] [--] PATH...
//	atomicwrite --recover DIR...
//	atomicwrite --read|--watch [-d DELIM] PATH...
//
// With one PATH, standard input, as raw bytes, becomes the new content of
// PATH. With several, standard input is split on DELIM (default: a NUL
// byte) into one chunk per PATH, in order, and all of them are written as
// one transaction. A DELIM at the very end of the input ends the last chunk
// rather than starting a new one, as with find -print0. DELIM understands
// the escapes \n, \t, \0 and \\.
//
// -e (--no-empty) refuses an empty standard input, or an empty chunk:
// nothing is written. A standard input that is a directory, or closed, is
// always an error. A terminal on standard input gets a hint on stderr.
//
// -m MODE gives every written file the octal mode MODE, as chmod does
// (4755 is setuid plus 0755); a comma-separated list gives one mode per
// PATH. Without it a replaced file keeps its mode and a new one gets 0666
// minus the umask.
//
// Flags go before the first PATH; a word that starts with "-" after a PATH
// is a usage error, and a file name that starts with "-" goes after --.
//
// --read PATH... prints the PATHs as they all stood together between
// transactions, never half of one, each followed by DELIM: the input a
// write of the same PATHs takes. --watch prints the set, then again once
// per transaction that changes it, until killed.
//
// --recover DIR... cleans up after writers that were killed: it finishes
// each transaction that had passed its commit point (the intent journal
// in DIR, and a rename made), and removes the temp files that dead writers left there.
//
// SIGINT, SIGTERM, SIGHUP and SIGPIPE end a write early: nothing is written
// and no temp file is left, unless the write had passed its commit point,
// which is then finished first.
//
// Exit status: 0 on success, 1 when the write failed, 2 for a usage error
// (no PATH, a bad or misplaced flag or mode, a chunk count that does not
// match the PATHs, the same target twice), 128+N after signal N. On any
// failure nothing is written and no temp file is left behind; one line on
// standard error, starting "atomicwrite: ", names the path and the cause.
//
// The manual page is docs/atomicwrite.1 in the source repository.
package main
