package tracer

import (
	"fmt"
	"syscall"
)

// A Call is one counted system call of the traced program.
type Call struct {
	Name string // the system call, e.g. "fsync"
	Path string // what it acts on: a file, "old -> new" for renames and links
	Err  syscall.Errno
	Done bool // it returned (the program was not killed at or before it)
}

func (c Call) String() string {
	s := fmt.Sprintf("%s(%s)", c.Name, c.Path)
	if c.Err != 0 {
		s += " = " + c.Err.Error()
	}
	return s
}

// An Action is what Run does at the chosen call.
type Action int

const (
	None   Action = iota // only record
	Kill                 // SIGKILL the program at the call's entry: the call never runs
	Fail                 // skip the call and make it return Plan.Errno
	Signal               // send Plan.Signal to the program at the call's entry; the call runs a moment later
)

// A Plan says where to act.
type Plan struct {
	Scope  string // count only calls on paths below this directory
	At     int    // act at this counted call (1-based); 0: never
	Action Action
	Errno  syscall.Errno  // for Fail
	Signal syscall.Signal // for Signal
	// Only, when set, further restricts which calls count: it is given
	// each call (its name and path) that Scope lets count.
	Only func(Call) bool
}

// A Result is what a traced run did.
type Result struct {
	Calls  []Call             // every counted call, in the order they were entered
	Acted  bool               // the plan's call was reached and acted on
	Status syscall.WaitStatus // how the program ended
}

// Kills reports whether the action kills the program.
func (a Action) Kills() bool { return a == Kill }
