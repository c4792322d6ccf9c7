// Package unsupported stops the build, with a message, on the platforms
// this module cannot serve: js/wasm, wasip1 and plan9 give a program no
// rename that replaces a file atomically, nor an fsync of a directory; and,
// until its port is written, Windows. Packages resolve, protocol and testenv
// import it only there.
package unsupported
