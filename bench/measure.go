package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// A sample set is the durations one variant took, rep by rep.
type samples []time.Duration

func (s samples) median() time.Duration {
	c := slices.Clone(s)
	slices.Sort(c)
	if len(c) == 0 {
		return 0
	}
	return c[len(c)/2]
}

func (s samples) spread() (time.Duration, time.Duration) {
	return slices.Min(s), slices.Max(s)
}

// interleave runs every variant once per rep, in a fresh random order each
// rep, so that drift in the machine's load falls on all of them alike.
func interleave(reps, variants int, run func(v int) (time.Duration, error)) ([]samples, error) {
	out := make([]samples, variants)
	order := make([]int, variants)
	for i := range order {
		order[i] = i
	}
	// One untimed round first: the first run of a variant pays for what the
	// ones after it find ready (page cache, the filesystem's free-space
	// state, the host's blocks under a sparse image).
	for v := range order {
		if _, err := run(v); err != nil {
			return nil, fmt.Errorf("variant %d: %w", v, err)
		}
	}
	for range reps {
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, v := range order {
			d, err := run(v)
			if err != nil {
				return nil, fmt.Errorf("variant %d: %w", v, err)
			}
			out[v] = append(out[v], d)
		}
	}
	return out, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/1e6) }
func us(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/1e3) }
