package money

// Round rounds cents to the nearest multiple of step, halves up.
func Round(cents, step int) int {
	return cents / step * step
}
