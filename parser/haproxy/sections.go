package haproxy

// parseUserlist handles a "userlist" section (configuration.txt §3.4).
func (p *parser) parseUserlist(st *stmt) int {
	switch st.args[0] {
	case "userlist":
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects <name> as arguments.", st.args[0])
		}
		for _, u := range p.cfg.Userlists {
			if u.Name == st.args[1] {
				p.warnNS(st, "ignoring duplicated userlist '%s'.", st.args[1])
				p.curUserlist = &Userlist{}
				return errWarn
			}
		}
		p.curUserlist = &Userlist{Pos: st.Pos, Name: st.args[1]}
		p.cfg.Userlists = append(p.cfg.Userlists, p.curUserlist)
	case "group":
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects <name> as arguments.", st.args[0])
		}
		g := UserGroup{Pos: st.Pos, Name: st.args[1]}
		for i := 2; i < st.nargs(); i++ {
			if st.args[i] == "users" && st.arg(i+1) != "" {
				g.Users = splitComma(st.args[i+1])
				i++
				continue
			}
			return p.alertNS(st, "'%s' only supports 'users' option.", st.args[0])
		}
		p.curUserlist.Groups = append(p.curUserlist.Groups, g)
	case "user":
		if st.arg(1) == "" {
			return p.alertNS(st, "'%s' expects <name> as arguments.", st.args[0])
		}
		u := User{Pos: st.Pos, Name: st.args[1]}
		for i := 2; i < st.nargs(); i++ {
			switch st.args[i] {
			case "password", "insecure-password":
				if st.arg(i+1) == "" {
					return p.alertNS(st, "'%s' expects <password> as argument.", st.args[i])
				}
				u.Password = st.args[i+1]
				u.Insecure = st.args[i] == "insecure-password"
				i++
			case "groups":
				if st.arg(i+1) == "" {
					return p.alertNS(st, "'%s' expects <groups> as argument.", st.args[i])
				}
				u.Groups = splitComma(st.args[i+1])
				i++
			default:
				return p.alertNS(st, "'%s' only supports 'password', 'insecure-password' and 'groups' options.", st.args[0])
			}
		}
		p.curUserlist.Users = append(p.curUserlist.Users, u)
	default:
		return p.alertNS(st, "unknown keyword '%s' in '%s' section", st.args[0], "users")
	}
	return 0
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// parseOtherSection keeps the statements of the sections goproxy
// recognises but does not model yet (resolvers, peers, mailers, program,
// http-errors, ring, cache, log-forward, fcgi-app).
func (p *parser) parseOtherSection(st *stmt) int {
	if sectionKeywords[st.args[0]] && st.args[0] == p.section {
		if st.arg(1) == "" && p.section != "traces" {
			return p.alert(st, "missing name for %s section.", p.section)
		}
		p.curSection = &Section{Pos: st.Pos, Kind: p.section, Name: st.arg(1)}
		p.cfg.Sections = append(p.cfg.Sections, p.curSection)
		return 0
	}
	if p.curSection == nil {
		return 0
	}
	p.curSection.Statements = append(p.curSection.Statements, st.statement())
	return 0
}
