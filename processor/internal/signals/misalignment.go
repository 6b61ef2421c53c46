package signals

// misalignment: the user corrects the agent, rephrases, asks what it means
// (phrases: userPhrases), or says nearly the same thing again.
func (d *Detector) misalignment(c *conversation, f *Found) {
	dup := c.near.users
	if !c.near.set {
		dup = c.prevUser >= 0 && nearDuplicate(c.in[c.lastUser].Text, c.in[c.prevUser].Text, d.cfg.NearDuplicate)
	}
	if dup {
		f.Add(Misalignment, "near_duplicate", 1)
	}
}
