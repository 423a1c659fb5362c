package site

// Hugo runs in-process through its library API. Three things keep it from
// reading the machine it runs on: an explicit environment (HUGO_* variables
// would otherwise override the generated config), cache and resource dirs
// inside the project, and the project dir as Hugo's working dir (so
// .hugo_build.lock lands there, not in the caller's folder).

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/bep/logg"
	"github.com/gohugoio/hugo/common/loggers"
	"github.com/gohugoio/hugo/config"
	"github.com/gohugoio/hugo/config/allconfig"
	"github.com/gohugoio/hugo/deps"
	"github.com/gohugoio/hugo/hugofs"
	"github.com/gohugoio/hugo/hugolib"
)

// hugoEnviron is the whole environment Hugo sees. It must not be empty:
// an empty list makes Hugo read the process environment.
var hugoEnviron = []string{"CARPORT_SITE=1"}

// build renders the Hugo project in dir to the publishDir set in its
// config. Any warning Hugo logs (a missing layout, a broken shortcode)
// fails the build.
func build(dir string) (err error) {
	var log bytes.Buffer
	logger := loggers.New(loggers.Options{
		Level:         logg.LevelWarn,
		StdOut:        &log,
		StdErr:        &log,
		DistinctLevel: logg.LevelWarn,
	})
	flags := config.New()
	flags.Set("workingDir", dir)
	configs, err := allconfig.LoadConfig(allconfig.ConfigSourceDescriptor{
		Fs:          hugofs.Os,
		Logger:      logger,
		Flags:       flags,
		Filename:    dir + "/hugo.toml",
		Environment: "production",
		Environ:     hugoEnviron,
	})
	if err != nil {
		return fmt.Errorf("loading the generated Hugo config: %w", err)
	}
	hfs := hugofs.NewFrom(hugofs.Os, configs.LoadingInfo.BaseConfig)
	sites, err := hugolib.NewHugoSites(deps.DepsCfg{
		Configs:  configs,
		Fs:       hfs,
		LogLevel: logger.Level(),
		StdOut:   &log,
		StdErr:   &log,
	})
	if err != nil {
		return fmt.Errorf("starting Hugo: %w", err)
	}
	defer func() {
		if cerr := sites.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing Hugo: %w", cerr)
		}
	}()
	if err := sites.Build(hugolib.BuildCfg{}); err != nil {
		return fmt.Errorf("building with Hugo: %w", err)
	}
	if n := logger.LoggCount(logg.LevelWarn) + logger.LoggCount(logg.LevelError); n > 0 {
		return fmt.Errorf("building with Hugo: %d warnings or errors: %s", n, strings.TrimSpace(log.String()))
	}
	return nil
}
