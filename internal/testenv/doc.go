// Package testenv holds what the tests of this module share: real faults
// (a full disk, an immutable directory, an unprivileged process), child
// processes, and checks that a directory holds exactly what it should.
//
// It is for tests only.
package testenv
