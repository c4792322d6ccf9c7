package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// A command is what the arguments ask for.
type command struct {
	help, version bool
	recover       bool
	enableReads   bool     // --enable-reads: DIRs, as --recover
	read, watch   bool     // --read, --watch: print the PATHs' set
	run           []string // --run: the command and its arguments, whose output is PATH's content
	noEmpty       bool
	noClobber     bool
	parents       bool
	modes         []fs.FileMode // none, one for every PATH, or one per PATH
	delim         []byte
	paths         []string       // PATHs, or DIRs for recover
	removes       []string       // -r: removed in the same transaction
	sums          []string       // -c: per PATH, the SHA-256 it must still have ("-": absent)
	wait          *time.Duration // --wait: --recover's bound on its lock waits
}

// An option of the command line: its one-letter name (0 if none), its long
// name, and whether it takes a value.
type option struct {
	short byte
	long  string
	value bool
}

var options = []option{
	{'h', "help", false}, {0, "version", false}, {0, "recover", false}, {0, "enable-reads", false}, {0, "wait", true}, {0, "run", false},
	{0, "read", false}, {0, "watch", false},
	{'e', "no-empty", false}, {'n', "no-clobber", false}, {'p', "parents", false},
	{'r', "remove", true}, {'m', "mode", true}, {'d', "delim", true}, {'c', "if-sha256", true},
}

// optionNamed returns the option of a long name, or of a one-letter one.
func optionNamed(long string, short byte) (option, bool) {
	for _, o := range options {
		if long != "" && o.long == long || long == "" && short != 0 && o.short == short {
			return o, true
		}
	}
	return option{}, false
}

// parseArgs reads the arguments, as getopt_long does. Options come before
// the first PATH (or before --); a word that starts with "-" after a PATH is
// refused rather than taken for a file name, since it is almost always an
// option put in the wrong place. Long options take two dashes (--mode), or
// one (-recover); one-letter options combine (-enp), and the last of them
// may take a value. A value follows its option as the next word, attached
// to a one-letter option (-m600, -d,), or after "=" (--mode=600, -m=600).
func parseArgs(args []string) (command, error) {
	c := command{delim: []byte{0}}
	var mode, delim, sums, wait *string
	runFlag := false
	// set records the option o, with its value if it takes one.
	set := func(o option, value string) {
		switch o.long {
		case "help":
			c.help = true
		case "version":
			c.version = true
		case "recover":
			c.recover = true
		case "enable-reads":
			c.enableReads = true
		case "read":
			c.read = true
		case "watch":
			c.watch = true
		case "run":
			runFlag = true
		case "no-empty":
			c.noEmpty = true
		case "no-clobber":
			c.noClobber = true
		case "parents":
			c.parents = true
		case "remove":
			c.removes = append(c.removes, value)
		case "mode":
			mode = &value
		case "delim":
			delim = &value
		case "if-sha256":
			sums = &value
		case "wait":
			wait = &value
		}
	}
	dashdash := false
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			dashdash = true
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		// takeValue returns the value that follows the option in the
		// word (attached, after any "="), or the next word.
		takeValue := func(attached string, hasValue bool) (string, error) {
			if hasValue {
				return strings.TrimPrefix(attached, "="), nil
			}
			if i+1 == len(args) {
				return "", usageErrorf("flag %s needs a value (see atomicwrite -h)", a)
			}
			i++
			return args[i], nil
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		if o, ok := optionNamed(name, 0); ok && (len(name) > 1 || strings.HasPrefix(a, "--")) {
			switch {
			case hasValue && !o.value:
				return c, usageErrorf("flag %s takes no value (see atomicwrite -h)", a)
			case o.value:
				v, err := takeValue(value, hasValue)
				if err != nil {
					return c, err
				}
				value = v
			}
			set(o, value)
			continue
		}
		if strings.HasPrefix(a, "--") {
			return c, usageErrorf("flag provided but not defined: %s (see atomicwrite -h)", a)
		}
		for j := 1; j < len(a); j++ {
			o, ok := optionNamed("", a[j])
			if !ok {
				in := ""
				if len(a) > 2 {
					in = " (in " + a + ")"
				}
				return c, usageErrorf("flag provided but not defined: -%c%s (see atomicwrite -h)", a[j], in)
			}
			if !o.value {
				set(o, "")
				continue
			}
			v, err := takeValue(a[j+1:], j+1 < len(a))
			if err != nil {
				return c, err
			}
			set(o, v)
			break
		}
	}
	c.paths = args[i:]
	if runFlag && !c.help && !c.version {
		// PATH, then the command: its words are its own, dashes and all.
		if len(c.paths) > 1 {
			c.run = c.paths[1:]
			c.paths = c.paths[:1]
		}
		if len(c.run) > 0 && c.run[0] == "--" {
			c.run = c.run[1:]
		}
		if len(c.paths) == 0 || len(c.run) == 0 {
			return c, usageErrorf("--run needs a PATH and a COMMAND (atomicwrite [flags] --run PATH COMMAND [ARG...]; see atomicwrite -h)")
		}
		if c.recover || delim != nil || c.removes != nil {
			return c, usageErrorf("--run takes one PATH, and none of --recover, -d, -r (see atomicwrite -h)")
		}
	}
	if !dashdash && c.run == nil {
		for _, p := range c.paths[min(1, len(c.paths)):] {
			if strings.HasPrefix(p, "-") {
				return c, usageErrorf("%q after the PATHs: flags go before the first PATH; a file name that starts with \"-\" goes after -- (atomicwrite [flags] -- %s)", p, p)
			}
		}
	}
	if c.help || c.version {
		return c, nil
	}
	if c.recover || c.enableReads {
		flag := "--recover"
		if c.enableReads {
			flag = "--enable-reads"
		}
		if c.recover && c.enableReads || c.read || c.watch || c.run != nil {
			return c, usageErrorf("%s takes DIRs and --wait only (see atomicwrite -h)", flag)
		}
		if mode != nil || delim != nil || sums != nil || c.noEmpty || c.noClobber || c.parents || c.removes != nil {
			return c, usageErrorf("%s takes no write flags (-m, -d, -e, -n, -p, -r, -c) (see atomicwrite -h)", flag)
		}
		if len(c.paths) == 0 {
			return c, usageErrorf("%s needs a DIR (see atomicwrite -h)", flag)
		}
		if wait != nil {
			d, err := time.ParseDuration(*wait)
			if err != nil || d < 0 {
				return c, usageErrorf("bad --wait %q: want a duration, as 0, 500ms or 30s", *wait)
			}
			c.wait = &d
		}
		return c, nil
	}
	if wait != nil {
		return c, usageErrorf("--wait applies to --recover and --enable-reads only (see atomicwrite -h)")
	}
	if c.read || c.watch {
		if c.read && c.watch || c.run != nil || mode != nil || sums != nil || c.noEmpty || c.noClobber || c.parents || c.removes != nil {
			return c, usageErrorf("--read and --watch take PATHs and -d only, and not each other (see atomicwrite -h)")
		}
		if len(c.paths) == 0 {
			return c, usageErrorf("--read and --watch need a PATH (see atomicwrite -h)")
		}
	}
	if len(c.paths) == 0 && len(c.removes) == 0 {
		return c, usageErrorf("no PATH given (see atomicwrite -h)")
	}
	if len(c.paths) == 0 && (mode != nil || delim != nil || sums != nil || c.noEmpty || c.noClobber || c.parents) {
		return c, usageErrorf("-m, -d, -e, -n, -p and -c apply to PATHs, and none is given (see atomicwrite -h)")
	}
	if sums != nil {
		var err error
		if c.sums, err = parseSums(*sums, len(c.paths)); err != nil {
			return c, err
		}
	}
	if mode != nil {
		for _, s := range strings.Split(*mode, ",") {
			m, err := parseMode(s)
			if err != nil {
				return c, err
			}
			c.modes = append(c.modes, m)
		}
		if n := len(c.modes); n != 1 && n != len(c.paths) {
			return c, usageErrorf("-m %s gives %s for %s: give one for all, or one per PATH", *mode, count(n, "mode"), count(len(c.paths), "PATH"))
		}
	}
	if delim != nil {
		d, err := parseDelim(*delim)
		if err != nil {
			return c, err
		}
		c.delim = d
	}
	return c, nil
}

// parseSums reads -c's value: one SHA-256 per PATH, in hex of either case,
// or - for a PATH that must not exist, separated by commas or by lines, so
// that what sha256sum prints serves as it is: of each line, the sum before
// the file name (and before the \ that marks an escaped name).
func parseSums(value string, paths int) ([]string, error) {
	items := strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == '\n' })
	sums := make([]string, len(items))
	for i, item := range items {
		s, _, _ := strings.Cut(strings.TrimLeft(strings.TrimSpace(item), "\\"), " ")
		s = strings.ToLower(s)
		if b, err := hex.DecodeString(s); s != "-" && (err != nil || len(b) != sha256.Size) {
			return nil, usageErrorf("bad SHA-256 %q: want 64 hex digits, as sha256sum prints, or - for a PATH that must not exist", item)
		}
		sums[i] = s
	}
	if len(sums) != paths {
		return nil, usageErrorf("-c gives %s for %s: give one per PATH (- for one that must not exist)", count(len(sums), "SHA-256 sum"), count(paths, "PATH"))
	}
	return sums, nil
}

// count is n things, in the singular or the plural.
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// modeOf returns the mode flag for the i-th PATH, if any.
func (c *command) modeOf(i int) (fs.FileMode, bool) {
	switch len(c.modes) {
	case 0:
		return 0, false
	case 1:
		return c.modes[0], true
	}
	return c.modes[i], true
}

// parseMode reads a chmod-style octal mode: 644, 0600, 4755.
func parseMode(s string) (fs.FileMode, error) {
	u, err := strconv.ParseUint(s, 8, 32)
	if err != nil || u > 0o7777 {
		return 0, usageErrorf("bad mode %q: want octal digits, at most 7777", s)
	}
	return protocol.ModeOf(uint32(u)), nil
}

// parseDelim reads a delimiter with the escapes \n, \t, \0 and \\.
func parseDelim(s string) ([]byte, error) {
	var d []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			d = append(d, s[i])
			continue
		}
		i++
		if i == len(s) {
			return nil, usageErrorf("bad delimiter %q: it ends in a lone backslash", s)
		}
		switch s[i] {
		case 'n':
			d = append(d, '\n')
		case 't':
			d = append(d, '\t')
		case '0':
			d = append(d, 0)
		case '\\':
			d = append(d, '\\')
		default:
			return nil, usageErrorf(`bad delimiter %q: known escapes are \n, \t, \0 and \\`, s)
		}
	}
	if len(d) == 0 || len(d) > maxDelimLen {
		return nil, usageErrorf("bad delimiter %q: want 1 to %d bytes", s, maxDelimLen)
	}
	return d, nil
}

// errUsage marks an error that is the caller's mistake, not the write's.
type errUsage struct{ err error }

func (e errUsage) Error() string { return e.err.Error() }
func (e errUsage) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return errUsage{fmt.Errorf(format, args...)}
}
