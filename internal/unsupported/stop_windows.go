package unsupported

// The undefined name is the message: the Windows port is not
// written yet; docs/platforms.md says what it will take.
const _ = atomicwrite_does_not_build_on_windows_yet__see_docs_platforms_md
