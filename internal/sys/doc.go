// Package sys is every operating-system call that packages protocol and
// resolve make, named and shaped as in x/sys/unix: descriptors are ints, a
// directory's handle anchors the names opened in it (the *at calls), and
// errors are Errnos that compare with ==.
//
// On Unix they are x/sys/unix's own, with what one platform lacks built in
// files named by the mechanism that stands in (link_path.go, fsync_darwin.go,
// rename_plain.go). On Windows (sys_windows.go) a descriptor is a Win32
// handle; the *at calls on a name in a directory are the NT calls relative
// to the directory's handle (at_windows.go), the others are built from
// the handle's current path and the Win32 call that does the same, and a
// file's owner SID is told as a uid (owner_windows.go). retry.go holds the
// one loop for interrupted calls (IgnoringEINTR) and the one for transient
// failures (Retry).
package sys
