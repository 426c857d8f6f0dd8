package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/wecombot/wecombot/bot/access"

	"github.com/wecombot/wecombot/bot/config"
)

// teamTTL is how long a team's resolved members are kept.
const teamTTL = 5 * time.Minute

// teams resolves team members (userids, "tag:NAME", "dept:ID" with its sub-departments) to userids through
// access.ExpandMembers, caching each team for teamTTL. When WeCom cannot be asked, the last known members are
// used (and the failure logged): an alert reaching the people of five minutes ago beats no alert.
type teams struct {
	cfg map[string]config.Team
	dir access.Directory
	now func() time.Time
	log *slog.Logger

	mu    sync.Mutex
	cache map[string]resolvedTeam
}

type resolvedTeam struct {
	users []string
	at    time.Time
}

// checkTeams validates member references.
func checkTeams(cfg map[string]config.Team, haveDir bool) error {
	for name, t := range cfg {
		for _, m := range t.Members {
			if err := access.CheckRef("alerts.teams."+name+".members", m, haveDir); err != nil {
				return err
			}
		}
		if t.Chat != "" && !chatIDRE.MatchString(t.Chat) {
			return fmt.Errorf("alerts.teams.%s.chat: %q is not a chat id (1 to 32 letters and digits, from appchat/create)", name, t.Chat)
		}
	}
	return nil
}

// chatIDRE is an appchat chatid (appchat/create: 1 to 32 of [0-9A-Za-z]).
var chatIDRE = regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`)

// members returns the team's userids, in the order the config's references expand to.
func (t *teams) members(ctx context.Context, name string) ([]string, error) {
	cfg, ok := t.cfg[name]
	if !ok {
		return nil, fmt.Errorf("no team %q", name)
	}
	t.mu.Lock()
	c, cached := t.cache[name]
	t.mu.Unlock()
	if cached && t.now().Sub(c.at) < teamTTL {
		return c.users, nil
	}
	users, err := t.resolve(ctx, cfg.Members)
	if err != nil {
		if cached {
			t.log.Warn("alerts: cannot resolve team members; using the last known ones",
				slog.String("team", name), slog.String("err", err.Error()))
			return c.users, nil
		}
		return nil, fmt.Errorf("team %s: %w", name, err)
	}
	t.mu.Lock()
	t.cache[name] = resolvedTeam{users: users, at: t.now()}
	t.mu.Unlock()
	return users, nil
}

func (t *teams) resolve(ctx context.Context, refs []string) ([]string, error) {
	return access.ExpandMembers(ctx, t.dir, refs)
}
