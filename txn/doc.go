// Package txn writes several related files as one transaction.
//
// A Tx stages each file in a temp file next to its target; Commit then
// fsyncs every temp, renames them over their targets in the order they were
// staged, and fsyncs each distinct directory once. If anything fails before
// the first rename, no target changes. If a rename fails part-way, the
// targets this Commit already replaced get their previous content back (or
// are removed, if they did not exist). Either way no temp file remains.
//
// Within one process, a caller therefore sees the old set or the new set of
// files, never a mix. A process that dies in the middle of the renames
// leaves a mix behind until Recover finishes the set (from the intent
// journal that Commit writes first). A program that reads the files one by
// one can see a mix while the renames run; ReadSet, a Reader and Watch
// read a set as it stood at one instant between Commits, never half of
// one, in directories where consistent reads are enabled (EnableReads).
// See docs/protocol.md.
//
// Besides writes, a Tx can remove a file (Remove), abandon one entry
// (Writer.Abort), and take the options of package atomic per entry:
// create-only, compare-and-swap (the whole Tx commits only if every such
// file is unchanged), new directories.
//
// Each entry is the same protocol as a write of package atomic, with the
// same options and the same guarantees for that one file. A Tx resolves
// each directory path once, when it first stages a file there: later
// entries named in the same directory go to the directory that was opened
// then, whatever is renamed along the path meanwhile.
package txn
