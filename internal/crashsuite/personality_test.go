//go:build linux && amd64

package crashsuite

import "testing"

// The BSDs (and AIX) keep a journal whose directory paths come from the
// path walk, not the kernel; they have no syncfs, no exchange of two
// names, no RENAME_NOREPLACE and no O_TMPFILE. Linux built with the
// atomicwrite_bsd personality has the same mechanisms: every scenario of a
// CLI built so is killed, and the power cut, at every call on ext4, then
// recovered by that CLI, as TestPowerCut does for Linux's own on every
// filesystem. What differs from Linux is the mechanisms, the same on every
// filesystem: ext4 stands for the disk filesystems, to keep CI within its
// time.
func TestPowerCutBSDPersonality(t *testing.T) {
	requireSuite(t)
	for _, fs := range suite.fss {
		if !fs.canCut() || fs.name != "ext4" {
			continue
		}
		for _, sc := range scenarios {
			if sc.kept {
				continue // the CLI's scenarios; the marks are kept alike on every platform
			}
			sc.name += " (bsd)"
			sc.bin = suite.bsdBin
			t.Run(fs.name+"/"+sc.name, func(t *testing.T) { powerCut(t, fs, sc) })
		}
	}
}
