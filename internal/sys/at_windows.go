//go:build windows

package sys

import (
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Win32 has no calls relative to a directory's handle; the NT layer under
// it has (as Go's os.Root uses it): NtCreateFile opens a name relative to a
// directory handle, and a rename names its new directory by handle too.
// So a name in a directory open on dirfd is looked up in that directory
// itself, wherever it has been moved, with nothing between a lookup of its
// path and the call.

// relative reports whether name in the directory dirfd can be opened
// relative to dirfd: one name, not a path ("" and "." are dirfd itself).
func relative(dirfd int, name string) bool {
	return dirfd != AT_FDCWD && name != ".." && !strings.ContainsAny(name, `/\:`)
}

// ntOpenAt opens name in the directory open on dirfd with NtCreateFile
// (see relative), synchronous, as CreateFile would with
// FILE_FLAG_BACKUP_SEMANTICS, sharing everything: disposition is an NT one
// (FILE_OPEN, FILE_CREATE, FILE_OPEN_IF), options NT create options.
func ntOpenAt(dirfd int, name string, access, attrs, disposition, options uint32) (windows.Handle, error) {
	if name == "." {
		name = ""
	}
	return ntCreate(dirfd, name, access, shareAll, attrs, disposition, options)
}

// reopen opens the file open on fd again, with access and share: the empty
// name relative to its own handle (as ReOpenFile does), so the same file
// whatever its path is now. A link is opened itself, not followed.
func reopen(fd int, access, share uint32) (windows.Handle, error) {
	return ntCreate(fd, "", access, share, 0, windows.FILE_OPEN, windows.FILE_OPEN_REPARSE_POINT)
}

// ntCreate is NtCreateFile of name relative to the handle root.
func ntCreate(root int, name string, access, share, attrs, disposition, options uint32) (windows.Handle, error) {
	us, err := windows.NewNTUnicodeString(name)
	if err != nil {
		return 0, err
	}
	oa := windows.OBJECT_ATTRIBUTES{RootDirectory: windows.Handle(root), ObjectName: us, Attributes: windows.OBJ_CASE_INSENSITIVE}
	oa.Length = uint32(unsafe.Sizeof(oa))
	var h windows.Handle
	var iosb windows.IO_STATUS_BLOCK
	err = windows.NtCreateFile(&h, access|windows.SYNCHRONIZE|windows.FILE_READ_ATTRIBUTES, &oa, &iosb, nil, attrs, share, disposition,
		options|windows.FILE_SYNCHRONOUS_IO_NONALERT|windows.FILE_OPEN_FOR_BACKUP_INTENT, 0, 0)
	if st, ok := err.(windows.NTStatus); ok {
		return 0, errno(st.Errno())
	}
	return h, err
}

// fileNameInformation is FILE_RENAME_INFORMATION_EX and
// FILE_LINK_INFORMATION_EX, its name's first character in FileName, the
// others after it. FILE_RENAME_INFORMATION and FILE_LINK_INFORMATION are
// the same with a BOOLEAN ReplaceIfExists where Flags is.
type fileNameInformation struct {
	Flags          uint32
	RootDirectory  windows.Handle
	FileNameLength uint32
	FileName       [1]uint16
}

// The classes of NtSetInformationFile that name a file: x/sys lacks the
// rename's Ex, and its FileLinkInformation is the link's Ex.
const (
	fileRenameInformationEx = 65
	fileLinkInformation     = 11
)

// setName gives the file open on h the name to in the directory open on
// tofd, by class: a rename or a new link, with flags (the Ex classes'; the
// others take 1 to replace a file there).
func setName(h windows.Handle, class, flags uint32, tofd int, to string) error {
	name, err := windows.UTF16FromString(to)
	if err != nil {
		return err
	}
	name = name[:len(name)-1] // no NUL: the length counts
	// The struct's own size at least, padding included, however short the
	// name: shorter is refused.
	size := max(unsafe.Offsetof(fileNameInformation{}.FileName)+2*uintptr(len(name)), unsafe.Sizeof(fileNameInformation{}))
	buf := make([]uint64, (size+7)/8) // aligned as the struct is
	info := (*fileNameInformation)(unsafe.Pointer(&buf[0]))
	info.Flags, info.RootDirectory, info.FileNameLength = flags, windows.Handle(tofd), uint32(2*len(name))
	copy(unsafe.Slice(&info.FileName[0], len(name)), name)
	var iosb windows.IO_STATUS_BLOCK
	err = windows.NtSetInformationFile(h, &iosb, (*byte)(unsafe.Pointer(info)), uint32(size), class)
	if st, ok := err.(windows.NTStatus); ok {
		return errno(st.Errno())
	}
	return err
}

// renameByHandle gives the file open on h (with DELETE access) the name
// to in the directory open on tofd, replacing a file there if replace.
//
// The rename with POSIX semantics comes first (Windows 10 1709 and later,
// on NTFS): it replaces a target that others hold open if they share
// delete, as our own lookups of it do, and a read-only one, as a rename on
// Unix does. Where the system or the filesystem does not offer it (FAT, an
// older Windows, wine), the classic rename, which refuses a target that is
// open at all: its caller tries again (moveAt).
func renameByHandle(h windows.Handle, tofd int, to string, replace bool) error {
	flags, classic := uint32(windows.FILE_RENAME_POSIX_SEMANTICS), uint32(0)
	if replace {
		flags |= windows.FILE_RENAME_REPLACE_IF_EXISTS | windows.FILE_RENAME_IGNORE_READONLY_ATTRIBUTE
		classic = 1
	}
	if setName(h, fileRenameInformationEx, flags, tofd, to) == nil {
		return nil
	}
	return setName(h, windows.FileRenameInformation, classic, tofd, to)
}

// linkAt makes to in the directory open on dirfd a second name of from
// there (the entry itself, a link included), by from's handle.
func linkAt(dirfd int, from, to string) error {
	h, err := ntOpenAt(dirfd, from, windows.FILE_WRITE_ATTRIBUTES, 0, windows.FILE_OPEN, windows.FILE_OPEN_REPARSE_POINT)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	return setName(h, fileLinkInformation, 0, dirfd, to)
}

// unlinkAt is Unlinkat relative to dirfd: the entry itself (a link, not
// what it names) is opened for deletion and deleted when that handle
// closes, as DeleteFile and RemoveDirectory do. A read-only file loses the
// attribute first.
func unlinkAt(dirfd int, name string, flags int) error {
	var options uint32 = windows.FILE_OPEN_REPARSE_POINT | windows.FILE_NON_DIRECTORY_FILE
	if flags&AT_REMOVEDIR != 0 {
		options = windows.FILE_OPEN_REPARSE_POINT | windows.FILE_DIRECTORY_FILE
	}
	h, err := ntOpenAt(dirfd, name, windows.DELETE, 0, windows.FILE_OPEN, options)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	del := uint32(1) // FILE_DISPOSITION_INFO's DeleteFile, padded
	set := func() error {
		return windows.SetFileInformationByHandle(h, windows.FileDispositionInfo, (*byte)(unsafe.Pointer(&del)), uint32(unsafe.Sizeof(del)))
	}
	err = set()
	if err == windows.ERROR_ACCESS_DENIED && flags&AT_REMOVEDIR == 0 && setReadOnlyAt(dirfd, name, false) {
		err = set()
	}
	return errno(err)
}

// setReadOnlyAt gives name in dirfd the read-only attribute, or takes it
// off, and reports whether that changed it. No handle stays open on it: a
// rename cannot replace a file that one holds.
func setReadOnlyAt(dirfd int, name string, on bool) bool {
	h, err := ntOpenAt(dirfd, name, windows.FILE_WRITE_ATTRIBUTES, 0, windows.FILE_OPEN, windows.FILE_OPEN_REPARSE_POINT)
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	return setReadOnly(h, on)
}

// setReadOnly gives the file (not a directory) open on h the read-only
// attribute, or takes it off, and reports whether that changed it.
func setReadOnly(h windows.Handle, on bool) bool {
	var basic fileBasicInfo
	if windows.GetFileInformationByHandleEx(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&basic)), uint32(unsafe.Sizeof(basic))) != nil ||
		basic.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0 || (basic.FileAttributes&windows.FILE_ATTRIBUTE_READONLY != 0) == on {
		return false
	}
	set := fileBasicInfo{FileAttributes: basic.FileAttributes ^ windows.FILE_ATTRIBUTE_READONLY}
	return windows.SetFileInformationByHandle(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&set)), uint32(unsafe.Sizeof(set))) == nil
}

// moveAt is move relative to the directories' handles: from (the entry
// itself, a link included) is opened for deletion and given its new name
// by that handle, relative to tofd. A held target is tried again, and a
// read-only one loses the attribute first, as in move. The target is
// looked at on the first refusal only: a look opens it, and a target that
// is open cannot be replaced by the classic rename, so writers that looked
// at it on every try would hold one another off.
func moveAt(fromfd int, from string, tofd int, to string, replace bool) error {
	h, err := ntOpenAt(fromfd, from, windows.DELETE, 0, windows.FILE_OPEN, windows.FILE_OPEN_REPARSE_POINT)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	looked, cleared := false, false
	_, err = Retry(time.Millisecond, 20*time.Millisecond, RetryFor, nil, func(err error) bool {
		return err == windows.ERROR_ACCESS_DENIED || err == windows.ERROR_SHARING_VIOLATION
	}, func() error {
		err := renameByHandle(h, tofd, to, replace)
		if err != windows.ERROR_ACCESS_DENIED && err != windows.ERROR_SHARING_VIOLATION || looked {
			return err
		}
		looked = true
		var st Stat_t
		if Fstatat(tofd, to, &st, AT_SYMLINK_NOFOLLOW) == nil && st.Mode&S_IFMT == S_IFDIR {
			return EISDIR // as rename(2) says of a file renamed over a directory
		}
		if err == windows.ERROR_ACCESS_DENIED && replace {
			cleared = setReadOnlyAt(tofd, to, false)
		}
		return err
	})
	if err != nil && cleared {
		setReadOnlyAt(tofd, to, true) // the old content stays; so does its attribute
	}
	return err
}
