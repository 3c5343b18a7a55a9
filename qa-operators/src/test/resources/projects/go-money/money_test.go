package money

import "testing"

func TestRound(t *testing.T) {
	cases := []struct{ name string; in, step, want int }{
		{"exact", 500, 5, 500},
		{"half_up", 503, 5, 505},
		{"down", 501, 5, 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Round(c.in, c.step); got != c.want {
				t.Errorf("Round(%d, %d) = %d, want %d", c.in, c.step, got, c.want)
			}
		})
	}
}

func TestZero(t *testing.T) {
	if Round(0, 5) != 0 {
		t.Fatal("zero")
	}
}
