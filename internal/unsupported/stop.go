//go:build js || wasip1 || plan9

package unsupported

// The undefined name is the message.
const _ = atomicwrite_cannot_work_on_js_wasip1_or_plan9__it_needs_an_atomic_rename_and_fsync
