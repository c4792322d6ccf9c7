//go:build windows

package sys

import (
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// A descriptor is a Win32 handle. A name in a directory is opened, made,
// removed and renamed relative to the directory's handle, through the NT
// calls (at_windows.go); a name that is a path, and a hard link, are
// looked up from the directory's path now (PathOf), which a directory
// renamed or replaced along it between the lookup and the call can
// redirect (see docs/platforms.md).

// Stat_t is the part of a file's metadata the protocol reads. Times are
// nanoseconds since the Unix epoch. Uid is the owner's SID told as a uid
// (see owner_windows.go); Gid is always 0, the same for every file.
type Stat_t struct {
	Dev, Ino   uint64
	Mode       uint32
	Nlink      uint32
	Uid, Gid   uint32
	Size       int64
	Mtim, Ctim int64
}

// Values as on Linux, where they are flags or mode bits; the errors are
// syscall's own for Windows, which errors.Is matches with the fs errors
// as on Unix.
const (
	AT_FDCWD            = -100
	AT_SYMLINK_NOFOLLOW = 0x100
	AT_REMOVEDIR        = 0x200

	O_RDONLY    = 0x0
	O_WRONLY    = 0x1
	O_RDWR      = 0x2
	O_CREAT     = 0x40
	O_EXCL      = 0x80
	O_NONBLOCK  = 0x800
	O_DIRECTORY = 0x10000
	O_NOFOLLOW  = 0x20000
	O_CLOEXEC   = 0x80000

	S_IFMT  = 0xf000
	S_IFDIR = 0x4000
	S_IFREG = 0x8000
	S_IFLNK = 0xa000
	S_ISUID = 0x800
	S_ISGID = 0x400
	S_ISVTX = 0x200
	S_IWOTH = 0x2

	LOCK_SH = 0x1
	LOCK_EX = 0x2
	LOCK_NB = 0x4
	LOCK_UN = 0x8

	ENOENT       = syscall.ENOENT
	EEXIST       = syscall.EEXIST
	EINTR        = syscall.EINTR
	EISDIR       = syscall.EISDIR
	ENOTDIR      = syscall.ENOTDIR
	ELOOP        = syscall.ELOOP
	EPERM        = syscall.EPERM
	EACCES       = syscall.EACCES
	EINVAL       = syscall.EINVAL
	ENOTSUP      = syscall.ENOTSUP
	ENOTEMPTY    = syscall.ENOTEMPTY
	EWOULDBLOCK  = syscall.EWOULDBLOCK
	ENAMETOOLONG = syscall.ENAMETOOLONG
)

// errno turns the Win32 errors the protocol tells apart into the Errnos it
// compares with. The others stay as they are: errors.Is still matches them
// (ERROR_ACCESS_DENIED is fs.ErrPermission).
func errno(err error) error {
	switch err {
	case windows.ERROR_FILE_NOT_FOUND, windows.ERROR_PATH_NOT_FOUND:
		return ENOENT
	case windows.ERROR_FILE_EXISTS, windows.ERROR_ALREADY_EXISTS:
		return EEXIST
	case windows.ERROR_DIR_NOT_EMPTY:
		return ENOTEMPTY
	case windows.ERROR_DIRECTORY:
		return ENOTDIR
	case windows.ERROR_CANT_RESOLVE_FILENAME:
		return ELOOP
	case windows.ERROR_FILENAME_EXCED_RANGE:
		return ENAMETOOLONG
	case windows.ERROR_LOCK_VIOLATION:
		return EWOULDBLOCK
	}
	return err
}

// PathOf returns the path that leads to the file open on fd now.
func PathOf(fd int) (string, error) {
	buf := make([]uint16, 260)
	for {
		n, err := windows.GetFinalPathNameByHandle(windows.Handle(fd), &buf[0], uint32(len(buf)), 0)
		if err != nil {
			return "", errno(err)
		}
		if int(n) < len(buf) {
			return plainPath(windows.UTF16ToString(buf[:n])), nil
		}
		buf = make([]uint16, n+1)
	}
}

// plainPath turns the \\?\ form that GetFinalPathNameByHandle returns into
// the usual one, as os.Readlink does; winPath adds it back where a path is
// too long without it.
func plainPath(p string) string {
	switch {
	case strings.HasPrefix(p, `\\?\UNC\`):
		return `\\` + p[len(`\\?\UNC\`):]
	case strings.HasPrefix(p, `\\?\`) && len(p) >= 6 && p[5] == ':':
		return p[len(`\\?\`):]
	}
	return p
}

func winPath(p string) (*uint16, error) {
	if len(p) >= 248 && filepath.IsAbs(p) && !strings.HasPrefix(p, `\\`) {
		p = `\\?\` + filepath.Clean(p)
	}
	return windows.UTF16PtrFromString(p)
}

// pathAt is the path of name in the directory open on dirfd.
func pathAt(dirfd int, name string) (string, error) {
	if dirfd == AT_FDCWD || filepath.IsAbs(name) {
		return name, nil
	}
	dir, err := PathOf(dirfd)
	if err != nil {
		return "", err
	}
	if name == "." || name == "" {
		return dir, nil
	}
	return filepath.Join(dir, name), nil
}

// Every handle is opened sharing read, write and delete, as Go's os does:
// a temp must stay renamable and removable while it is open, and a reader
// that shares must never be refused.
const shareAll = windows.FILE_SHARE_READ | windows.FILE_SHARE_WRITE | windows.FILE_SHARE_DELETE

func Open(path string, flags int, mode uint32) (int, error) {
	return Openat(AT_FDCWD, path, flags, mode)
}

// Openat opens name in the directory dirfd. A directory can be opened
// (FILE_FLAG_BACKUP_SEMANTICS), and O_NOFOLLOW opens a symlink itself,
// which then fails with ELOOP as on Unix. A file created without the
// owner's write bit gets the read-only attribute.
func Openat(dirfd int, name string, flags int, mode uint32) (int, error) {
	var access uint32 = windows.GENERIC_READ
	switch flags & 3 {
	case O_WRONLY:
		access = windows.GENERIC_WRITE
	case O_RDWR:
		access = windows.GENERIC_READ | windows.GENERIC_WRITE
	}
	h, err := openAt(dirfd, name, access, flags, mode)
	if err != nil {
		return -1, err
	}
	fd := int(h)
	var st Stat_t
	if err := fstat(fd, &st); err != nil { // its type, not its owner
		windows.CloseHandle(h)
		return -1, err
	}
	switch kind := st.Mode & S_IFMT; {
	case kind == S_IFLNK:
		err = ELOOP
	case flags&O_DIRECTORY != 0 && kind != S_IFDIR:
		err = ENOTDIR
	case flags&O_DIRECTORY == 0 && kind == S_IFDIR && flags&3 != O_RDONLY:
		err = EISDIR
	}
	if err != nil {
		windows.CloseHandle(h)
		return -1, err
	}
	return fd, nil
}

// openAt opens name in dirfd for access, as Openat's flags and mode say:
// relative to dirfd where it can (see relative), else by path.
func openAt(dirfd int, name string, access uint32, flags int, mode uint32) (windows.Handle, error) {
	var attrs uint32
	if flags&O_CREAT != 0 && mode&0o200 == 0 {
		attrs = windows.FILE_ATTRIBUTE_READONLY
	}
	// Open, create only, or open or create: NT's disposition and Win32's.
	disposition, create := uint32(windows.FILE_OPEN), uint32(windows.OPEN_EXISTING)
	switch {
	case flags&(O_CREAT|O_EXCL) == O_CREAT|O_EXCL:
		disposition, create = windows.FILE_CREATE, windows.CREATE_NEW
	case flags&O_CREAT != 0:
		disposition, create = windows.FILE_OPEN_IF, windows.OPEN_ALWAYS
	}
	if relative(dirfd, name) {
		var options uint32
		if flags&O_NOFOLLOW != 0 {
			options = windows.FILE_OPEN_REPARSE_POINT
		}
		return ntOpenAt(dirfd, name, access, attrs, disposition, options)
	}
	path, err := pathAt(dirfd, name)
	if err != nil {
		return 0, err
	}
	p, err := winPath(path)
	if err != nil {
		return 0, err
	}
	attrs |= windows.FILE_FLAG_BACKUP_SEMANTICS
	if flags&O_NOFOLLOW != 0 {
		attrs |= windows.FILE_FLAG_OPEN_REPARSE_POINT
	}
	h, err := windows.CreateFile(p, access, shareAll, nil, create, attrs, 0)
	return h, errno(err)
}

func Close(fd int) error { return windows.CloseHandle(windows.Handle(fd)) }

func Dup(fd int) (int, error) {
	p := windows.CurrentProcess()
	var h windows.Handle
	if err := windows.DuplicateHandle(p, windows.Handle(fd), p, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return -1, err
	}
	return int(h), nil
}

// CloseOnExec does nothing: Go makes handles that no child inherits.
func CloseOnExec(fd int) {}

// Write writes at most 1 GiB of p, as Go's os does per WriteFile: its
// length is a 32-bit count.
func Write(fd int, p []byte) (int, error) {
	var n uint32
	err := windows.WriteFile(windows.Handle(fd), p[:min(len(p), 1<<30)], &n, nil)
	return int(n), err
}

// Read reads at most 1 GiB into p, as Write writes; 0 bytes read is the
// end of the file.
func Read(fd int, p []byte) (int, error) {
	var n uint32
	err := windows.ReadFile(windows.Handle(fd), p[:min(len(p), 1<<30)], &n, nil)
	if err == windows.ERROR_HANDLE_EOF {
		err = nil
	}
	return int(n), err
}

// fileBasicInfo is FILE_BASIC_INFO: the one class that has the change time.
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
	_                                                       uint32
}

type fileAttributeTagInfo struct {
	FileAttributes, ReparseTag uint32
}

// unixNano converts a FILETIME count (100 ns since 1601) to nanoseconds
// since 1970.
func unixNano(ft int64) int64 { return (ft - 116444736000000000) * 100 }

// Fstat describes the file open on fd. A handle opened on a symlink itself
// (O_NOFOLLOW) is S_IFLNK; other reparse points (a file that a cloud
// service keeps, say) are what they hold.
func Fstat(fd int, st *Stat_t) error {
	if err := fstat(fd, st); err != nil {
		return err
	}
	st.Uid = ownerUID(windows.Handle(fd))
	return nil
}

// fstat is Fstat without the owner, which costs a call of its own.
func fstat(fd int, st *Stat_t) error {
	h := windows.Handle(fd)
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return errno(err)
	}
	var basic fileBasicInfo
	if err := windows.GetFileInformationByHandleEx(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&basic)), uint32(unsafe.Sizeof(basic))); err != nil {
		return errno(err)
	}
	*st = Stat_t{
		Dev:   uint64(info.VolumeSerialNumber),
		Ino:   uint64(info.FileIndexHigh)<<32 | uint64(info.FileIndexLow),
		Nlink: info.NumberOfLinks,
		Size:  int64(info.FileSizeHigh)<<32 | int64(info.FileSizeLow),
		Mtim:  unixNano(basic.LastWriteTime),
		Ctim:  unixNano(basic.ChangeTime),
	}
	attrs := info.FileAttributes
	switch {
	case attrs&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0 && isLink(h):
		st.Mode = S_IFLNK | 0o777
	case attrs&windows.FILE_ATTRIBUTE_DIRECTORY != 0:
		st.Mode = S_IFDIR | 0o777
	case attrs&windows.FILE_ATTRIBUTE_READONLY != 0:
		st.Mode = S_IFREG | 0o444
	default:
		st.Mode = S_IFREG | 0o666
	}
	return nil
}

// Ftruncate sets the size of the file open on fd.
func Ftruncate(fd int, size int64) error { return errno(syscall.Ftruncate(syscall.Handle(fd), size)) }

func isLink(h windows.Handle) bool {
	var tag fileAttributeTagInfo
	if windows.GetFileInformationByHandleEx(h, windows.FileAttributeTagInfo, (*byte)(unsafe.Pointer(&tag)), uint32(unsafe.Sizeof(tag))) != nil {
		return false
	}
	return tag.ReparseTag == windows.IO_REPARSE_TAG_SYMLINK || tag.ReparseTag == windows.IO_REPARSE_TAG_MOUNT_POINT
}

// Fstatat opens name for its attributes and owner, which no sharing mode
// refuses, and describes it. Where its ACL does not let the caller read
// its owner, it is opened for its attributes alone, and its owner is
// another user's.
func Fstatat(dirfd int, name string, st *Stat_t, flags int) error {
	oflags := O_RDONLY
	if flags&AT_SYMLINK_NOFOLLOW != 0 {
		oflags |= O_NOFOLLOW
	}
	h, err := openAt(dirfd, name, windows.FILE_READ_ATTRIBUTES|windows.READ_CONTROL, oflags, 0)
	if err == windows.ERROR_ACCESS_DENIED {
		h, err = openAt(dirfd, name, windows.FILE_READ_ATTRIBUTES, oflags, 0)
	}
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	return Fstat(int(h), st)
}

func Lstat(path string, st *Stat_t) error { return Fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW) }

// Fchmod maps the owner's write bit to the read-only attribute, as Go's
// os.Chmod does; the other bits have no Windows meaning.
func Fchmod(fd int, mode uint32) error {
	h := windows.Handle(fd)
	var basic fileBasicInfo
	if err := windows.GetFileInformationByHandleEx(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&basic)), uint32(unsafe.Sizeof(basic))); err != nil {
		return err
	}
	attrs := basic.FileAttributes &^ windows.FILE_ATTRIBUTE_READONLY
	if mode&0o200 == 0 {
		attrs |= windows.FILE_ATTRIBUTE_READONLY
	}
	if attrs == basic.FileAttributes {
		return nil
	}
	if attrs == 0 {
		attrs = windows.FILE_ATTRIBUTE_NORMAL
	}
	// Zero times are left as they are.
	set := fileBasicInfo{FileAttributes: attrs}
	return windows.SetFileInformationByHandle(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&set)), uint32(unsafe.Sizeof(set)))
}

// Fsync flushes the file's data and metadata (FlushFileBuffers). Windows
// documents no flush of a directory: Fsync of one flushes it through a
// handle opened for writing where the filesystem takes that, and otherwise
// does nothing (see docs/platforms.md).
func Fsync(fd int) error {
	h := windows.Handle(fd)
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return err
	}
	if info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0 {
		switch err := flushReopened(fd); err {
		case windows.ERROR_ACCESS_DENIED, windows.ERROR_INVALID_FUNCTION,
			windows.ERROR_INVALID_PARAMETER, windows.ERROR_NOT_SUPPORTED:
			return nil
		default:
			return err
		}
	}
	err := windows.FlushFileBuffers(h)
	if err == windows.ERROR_ACCESS_DENIED {
		err = flushReopened(fd)
	}
	return err
}

// flushReopened flushes the file open on fd, a handle FlushFileBuffers
// refuses because it was not opened for writing, through a second handle
// on the same file that is (see reopen).
func flushReopened(fd int) error {
	h, err := reopen(fd, windows.GENERIC_WRITE, shareAll)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	return windows.FlushFileBuffers(h)
}

// LockDir takes the shared or the exclusive lock of the directory open on
// fd, without waiting (EWOULDBLOCK if another holds it), and returns the
// handle that holds it: closing it lets go.
//
// LockFileEx takes files only; share modes serve instead, as a second
// handle on the directory. A shared lock lists it (FILE_LIST_DIRECTORY)
// and shares read and write, not delete; an exclusive lock may delete it
// (DELETE) and shares the same: so each refuses the other, and two
// exclusive ones refuse each other. Other opens stay as they were but for
// two: while a shared lock is held, the directory itself cannot be renamed
// or removed (a temp open in it forbids that already); while an exclusive
// one is, an open that does not share delete (Go's os.Open of a directory)
// is refused, and one already there keeps the exclusive lock away. Renames
// into the directory open it for FILE_WRITE_DATA, sharing everything, and
// pass both. Taking the exclusive lock needs the right to delete the
// directory.
func LockDir(fd int, exclusive bool) (int, error) {
	var access uint32 = windows.FILE_LIST_DIRECTORY
	if exclusive {
		access = windows.DELETE
	}
	h, err := reopen(fd, access, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE)
	if err == windows.ERROR_SHARING_VIOLATION {
		return -1, EWOULDBLOCK
	}
	if err != nil {
		return -1, err
	}
	return int(h), nil
}

// LockNamed takes, without waiting, the lock called name that all the
// machine's processes share (a mutex in the global namespace), and
// returns the handle that holds it; EWOULDBLOCK if another holds it. Every
// user may take it, as every user who may open a file may flock it. A
// mutex belongs to the thread that took it: the calling goroutine keeps
// its thread until UnlockNamed.
func LockNamed(name string) (int, error) {
	sd, err := windows.SecurityDescriptorFromString("D:(A;;0x100001;;;WD)") // everyone: SYNCHRONIZE, MUTEX_MODIFY_STATE
	if err != nil {
		return -1, err
	}
	sa := windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd}
	p, err := windows.UTF16PtrFromString(`Global\` + name)
	if err != nil {
		return -1, err
	}
	runtime.LockOSThread()
	h, err := windows.CreateMutexEx(&sa, p, 0, windows.SYNCHRONIZE|windows.MUTEX_MODIFY_STATE)
	if h == 0 {
		runtime.UnlockOSThread()
		return -1, errno(err)
	}
	ev, err := windows.WaitForSingleObject(h, 0)
	switch ev {
	case windows.WAIT_OBJECT_0, windows.WAIT_ABANDONED: // abandoned: its holder died
		return int(h), nil
	case uint32(windows.WAIT_TIMEOUT):
		err = EWOULDBLOCK
	}
	windows.CloseHandle(h)
	runtime.UnlockOSThread()
	return -1, errno(err)
}

// UnlockNamed lets go of the lock that LockNamed returned.
func UnlockNamed(h int) {
	windows.ReleaseMutex(windows.Handle(h))
	windows.CloseHandle(windows.Handle(h))
	runtime.UnlockOSThread()
}

// FlocksDirs is false: a directory is locked by LockDir, not by Flock.
const FlocksDirs = false

// Flock locks the file open on fd with LockFileEx, on a byte far past any
// end of file: Windows locks are mandatory, and a lock on the data would
// make readers fail. A directory is locked by LockDir: Flock on one does
// nothing.
func Flock(fd, how int) error {
	h := windows.Handle(fd)
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return err
	}
	if info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0 {
		return nil
	}
	ol := windows.Overlapped{Offset: 0xfffffffe, OffsetHigh: 0x7fffffff}
	if how&LOCK_UN != 0 {
		return errno(windows.UnlockFileEx(h, 0, 1, 0, &ol))
	}
	var flags uint32
	if how&LOCK_EX != 0 {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	if how&LOCK_NB != 0 {
		flags |= windows.LOCKFILE_FAIL_IMMEDIATELY
	}
	return errno(windows.LockFileEx(h, flags, 0, 1, 0, &ol))
}

func Mkdirat(dirfd int, name string, mode uint32) error {
	if relative(dirfd, name) {
		h, err := ntOpenAt(dirfd, name, 0, 0, windows.FILE_CREATE, windows.FILE_DIRECTORY_FILE)
		if err == nil {
			windows.CloseHandle(h)
		}
		return err
	}
	p, err := pathPtr(dirfd, name)
	if err != nil {
		return err
	}
	return errno(windows.CreateDirectory(p, nil))
}

func pathPtr(dirfd int, name string) (*uint16, error) {
	path, err := pathAt(dirfd, name)
	if err != nil {
		return nil, err
	}
	return winPath(path)
}

// Unlinkat removes name, as os.Remove does on Windows: a read-only file
// loses the attribute first.
func Unlinkat(dirfd int, name string, flags int) error {
	if relative(dirfd, name) {
		return unlinkAt(dirfd, name, flags)
	}
	p, err := pathPtr(dirfd, name)
	if err != nil {
		return err
	}
	if flags&AT_REMOVEDIR != 0 {
		return errno(windows.RemoveDirectory(p))
	}
	err = windows.DeleteFile(p)
	if err == windows.ERROR_ACCESS_DENIED && clearReadOnly(p) {
		err = windows.DeleteFile(p)
	}
	return errno(err)
}

// UnlinkOpen removes name from dirfd, the name of the file open on fd (if
// it is), whose content must not outlive its name. A handle does not tell
// whether its file keeps another name (wine reports a link, and no pending
// delete, after DeleteFile), so the file is emptied first, and kept
// reports only a name gone already: another process renamed it.
func UnlinkOpen(dirfd int, name string, fd int) (kept bool, err error) {
	if fd >= 0 {
		if err := Ftruncate(fd, 0); err != nil {
			return false, err
		}
	}
	err = Unlinkat(dirfd, name, 0)
	if err == ENOENT {
		return true, nil
	}
	return false, err
}

// clearReadOnly takes the read-only attribute off the file p, and reports
// whether it had it.
func clearReadOnly(p *uint16) bool {
	attrs, err := windows.GetFileAttributes(p)
	if err != nil || attrs&windows.FILE_ATTRIBUTE_READONLY == 0 || attrs&windows.FILE_ATTRIBUTE_DIRECTORY != 0 {
		return false
	}
	return windows.SetFileAttributes(p, attrs&^windows.FILE_ATTRIBUTE_READONLY) == nil
}

// pathPtrs is pathPtr of two names.
func pathPtrs(fromfd int, from string, tofd int, to string) (f, t *uint16, err error) {
	if f, err = pathPtr(fromfd, from); err == nil {
		t, err = pathPtr(tofd, to)
	}
	return f, t, err
}

// Link makes to a second name of the file from, both in the directory
// open on dirfd: by from's handle, to relative to dirfd's (linkAt), or by
// CreateHardLink where a name is a path (dir is for systems without
// linkat).
func Link(dirfd int, dir, from, to string) error {
	if relative(dirfd, from) && relative(dirfd, to) {
		return linkAt(dirfd, from, to)
	}
	f, t, err := pathPtrs(dirfd, from, dirfd, to)
	if err != nil {
		return err
	}
	return errno(windows.CreateHardLink(t, f, 0))
}

// Renameat replaces to with from in one step: by from's handle, to
// relative to tofd's (moveAt), or, where a name is a path, by MoveFileEx
// (MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH). Windows documents
// no flush of a directory (see docs/platforms.md).
//
// A target that another process holds open without sharing delete (with
// it too where the rename has no POSIX semantics, see renameByHandle), or is
// about to (an antivirus scanner, an indexer, a reader that opened it with
// os.Open), makes the call fail for a moment: ERROR_ACCESS_DENIED or
// ERROR_SHARING_VIOLATION, which cmd/go's robustio also treats as
// transient. The rename is tried again, with a growing pause, for up to
// RetryFor. A read-only target is replaced as on Unix, where a rename does
// not look at the target's mode: it loses the attribute first.
func Renameat(fromfd int, from string, tofd int, to string) error {
	return move(fromfd, from, tofd, to, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH)
}

// RenameNoReplace renames from to to in dirfd only if to does not exist:
// the rename without replacing checks and renames in one step.
func RenameNoReplace(dirfd int, from, to string) error {
	return move(dirfd, from, dirfd, to, windows.MOVEFILE_WRITE_THROUGH)
}

// Windows cannot swap two names.

func CanExchange(fd int) bool { return false }

func Exchange(dirfd int, a, b string) error { return ENOTSUP }

// FsyncBarrier is Fsync: Windows has no cheaper barrier.
func FsyncBarrier(fd int) error { return Fsync(fd) }

// StatTimes returns a file's modification and change times, in nanoseconds.
func StatTimes(st *Stat_t) (mtime, ctime int64) { return st.Mtim, st.Ctim }

// RetryFor bounds how long a rename is tried again while its target is
// held (see Renameat).
const RetryFor = 5 * time.Second

func move(fromfd int, from string, tofd int, to string, flags uint32) error {
	if relative(fromfd, from) && relative(tofd, to) {
		return moveAt(fromfd, from, tofd, to, flags&windows.MOVEFILE_REPLACE_EXISTING != 0)
	}
	f, t, err := pathPtrs(fromfd, from, tofd, to)
	if err != nil {
		return err
	}
	looked, cleared := false, false
	_, err = Retry(time.Millisecond, 20*time.Millisecond, RetryFor, nil, func(err error) bool {
		return err == windows.ERROR_ACCESS_DENIED || err == windows.ERROR_SHARING_VIOLATION
	}, func() error {
		err := windows.MoveFileEx(f, t, flags)
		if err != windows.ERROR_ACCESS_DENIED && err != windows.ERROR_SHARING_VIOLATION || looked {
			return err
		}
		looked = true // on the first refusal only, as moveAt
		if attrs, aerr := windows.GetFileAttributes(t); aerr == nil && attrs&windows.FILE_ATTRIBUTE_DIRECTORY != 0 {
			return EISDIR // as rename(2) says of a file renamed over a directory
		}
		if err == windows.ERROR_ACCESS_DENIED && flags&windows.MOVEFILE_REPLACE_EXISTING != 0 {
			cleared = clearReadOnly(t)
		}
		return err
	})
	if err != nil && cleared {
		// The old content stays; so does its attribute.
		if attrs, aerr := windows.GetFileAttributes(t); aerr == nil {
			windows.SetFileAttributes(t, attrs|windows.FILE_ATTRIBUTE_READONLY)
		}
	}
	return errno(err)
}

// Fsid is 0: a volume's serial number, which Stat_t gives as the device,
// stays the same across mounts.
func Fsid(fd int) uint64 { return 0 }
