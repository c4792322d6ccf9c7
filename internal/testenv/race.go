package testenv

import (
	"errors"
	"sync"
	"testing"
)

// OneWinsEachRound runs rounds of n writers at once and checks that each
// round exactly one of them wins. In a round every writer first prepares
// (reads what its write will be checked against, say), and only once all
// have prepared do they write, all together: exactly one write must
// succeed, and every other fail with an error that matches lost. It
// returns each round's winner.
func OneWinsEachRound(t *testing.T, rounds, n int, lost error, prepare func(round, w int) (write func() error)) []int {
	t.Helper()
	winners := make([]int, rounds)
	for round := range rounds {
		var prepared, wg sync.WaitGroup
		var mu sync.Mutex
		var won []int
		prepared.Add(n)
		for w := range n {
			wg.Go(func() {
				write := prepare(round, w)
				prepared.Done()
				prepared.Wait()
				switch err := write(); {
				case err == nil:
					mu.Lock()
					won = append(won, w)
					mu.Unlock()
				case !errors.Is(err, lost):
					t.Errorf("round %d, writer %d: %v, want success or %v", round, w, err, lost)
				}
			})
		}
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("round %d: %d writers won, want 1", round, len(won))
		}
		winners[round] = won[0]
	}
	return winners
}
