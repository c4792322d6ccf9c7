// Package unsupported stops the build, with a message, on the platforms
// this module cannot serve: js/wasm, wasip1 and plan9 give a program no
// rename that replaces a file atomically, nor an fsync of a directory.
// Packages resolve and protocol import it only there.
package unsupported
