package signals

// satisfaction: the user thanks, confirms or reports success.
func (d *Detector) satisfaction(c conversation, f *Found) {
	d.match(Satisfaction, c.lastUserText(), f)
}
