// Package tracer runs a program under ptrace and acts at the k-th of its
// file system calls: it kills the program just before that call runs, or
// makes the call fail with a chosen errno without running it.
//
// It exists for the crash and fault suite. strace can do both
// (inject=...:signal=KILL / :error=), but its when= counts per thread, and a
// Go program spreads its system calls over several threads, so "the 4th
// fsync" would never be reached or would be the wrong one. This tracer
// counts across every thread of the process.
//
// Only calls that touch paths below a given scope are counted (resolved
// through /proc/PID/fd for descriptors and the tracee's memory for path
// arguments), so the Go runtime's own start-up calls are not steps.
//
// Linux on amd64 only; elsewhere Run returns errors.ErrUnsupported.
package tracer
