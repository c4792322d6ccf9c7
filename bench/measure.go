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

// over is the median, over the reps, of s's time over base's in the same
// rep: the two ran one after the other, so drift in the machine's load
// between reps cancels out of each ratio, where a ratio of the two medians
// keeps it.
func (s samples) over(base samples) float64 { return s.ratios(base).med }

// quartiles are a ratio's median and lower and upper quartiles over the
// reps.
type quartiles struct{ med, q1, q3 float64 }

func (q quartiles) String() string {
	return fmt.Sprintf("×%.3f [%.3f–%.3f]", q.med, q.q1, q.q3)
}

// ratios gives the quartiles of s's time over base's, rep by rep.
func (s samples) ratios(base samples) quartiles {
	var r []float64
	for i := range min(len(s), len(base)) {
		r = append(r, float64(s[i])/float64(base[i]))
	}
	if len(r) == 0 {
		return quartiles{}
	}
	slices.Sort(r)
	return quartiles{r[len(r)/2], r[len(r)/4], r[len(r)*3/4]}
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
