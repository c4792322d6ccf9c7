// Package sys is the file system calls the protocol makes, named and
// shaped as in x/sys/unix: descriptors are ints, a directory's handle
// anchors the names opened in it (the *at calls), and errors are Errnos
// that compare with ==.
//
// On Unix they are x/sys/unix's own. On Windows (sys_windows.go) a
// descriptor is a Win32 handle, and each *at call is built from the
// handle's current path and the Win32 call that does the same.
package sys
