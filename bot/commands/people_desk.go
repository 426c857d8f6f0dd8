package commands

// peopleDesk returns the vip, whois/convert, staff and order commands. (Being written.)
func peopleDesk(d Deps) []*Command { return nil }
