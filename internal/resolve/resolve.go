// Package resolve finds the directory entry a path names, as the kernel's
// own lookup does, but one component at a time on directory handles. Each
// component is opened relative to the handle of the one before, with
// O_NOFOLLOW, so nothing renamed or swapped along the path meanwhile can
// send the caller elsewhere, and a symlink is followed only if its owner is
// trusted (see trusted).
//
// One resolution (a Walk) spends one budget of MaxSymlinks links, counting
// every link it meets: in directories, in the final name, nested in other
// links. That is Linux's own rule for one lookup.
package resolve

// MaxSymlinks is how many links one resolution may follow before it counts
// as a loop (ELOOP): Linux's MAXSYMLINKS.
const MaxSymlinks = 40

// A Walk is one resolution: the links followed by all of its calls spend
// one budget. The zero value is ready to use.
type Walk struct {
	links int
	// Path is the path of the directory the walk is at, with no symlink on
	// it: the caller sets it to that of the directory it starts from (at)
	// when it knows it, and Dir and Entry set it to that of the directory
	// they return ("" if unknown). A relative one is relative to the
	// working directory; sys.AT_FDCWD starts from ".". A directory renamed
	// since is not followed: the caller checks the path's identity before
	// relying on it.
	Path string
	// Make, when set, makes each directory that a path given to Dir lacks,
	// as the walk meets it: the directory name in the one open on parent
	// (the walk's handle, which may only search; Make does not keep it).
	// It returns a readable handle on the new directory, or EEXIST if the
	// name appeared meanwhile: the walk then looks it up again, spending a
	// link of its budget, which bounds how often.
	Make func(parent int, name string) (int, error)
}

// An Entry is where a path leads: the directory entry Base in the directory
// open on Dir.
type Entry struct {
	Dir    int    // readable handle; the caller's own at if Owned is false
	Owned  bool   // Dir was opened by the walk: the caller closes it
	Base   string // the entry's name in Dir
	Exists bool   // whether the entry exists; then st holds its lstat
}

// spend spends one link of the budget, and reports whether there was one.
func (w *Walk) spend() bool {
	w.links++
	return w.links <= MaxSymlinks
}
