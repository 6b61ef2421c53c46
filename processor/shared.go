package llmevalprocessor

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/processor"
)

// One llmeval instance per component ID, whatever the pipelines and
// signals it is in: a trace's verdicts found on its GenAI log records must
// reach the sampler that buffers its spans, and the judge exporter, the
// sampler and the conversation state must not be built twice. Contrib
// components share instances across signals with an internal package
// (sharedcomponent); this is the same idea, small enough to keep here.
//
// An entry lives while a pipeline holds it: it is built by the first
// create, started by the first Start and shut down by the last Shutdown,
// then forgotten, so a reloaded configuration builds afresh. An entry is
// reused only for the very same *Config: another configuration under the
// same ID (a reload, a test) gets its own instance.

var shared = &sharedProcessors{byID: map[component.ID]*sharedProcessor{}}

type sharedProcessors struct {
	mu   sync.Mutex
	byID map[component.ID]*sharedProcessor
}

type sharedProcessor struct {
	owner *sharedProcessors
	id    component.ID
	cfg   *Config
	p     *llmEvalProcessor

	mu      sync.Mutex
	refs    int // pipelines holding it; guarded by owner.mu
	started bool
	stopped bool
}

// acquire returns the instance for set.ID and cfg, building it if needed.
func (s *sharedProcessors) acquire(ctx context.Context, set processor.Settings, cfg *Config) (*sharedProcessor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp, ok := s.byID[set.ID]; ok && sp.cfg == cfg {
		sp.refs++
		return sp, nil
	}
	p, err := newLLMEvalProcessor(ctx, set, cfg, nil)
	if err != nil {
		return nil, err
	}
	sp := &sharedProcessor{owner: s, id: set.ID, cfg: cfg, p: p, refs: 1}
	s.byID[set.ID] = sp
	return sp, nil
}

// start starts the instance once, for whichever pipeline starts first.
func (sp *sharedProcessor) start(ctx context.Context, host component.Host) error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.started {
		return nil
	}
	sp.started = true
	return sp.p.start(ctx, host)
}

// releaser returns one pipeline's shutdown: the last one shuts the
// instance down. Each pipeline's shutdown counts once, however often it
// is called.
func (sp *sharedProcessor) releaser() func(context.Context) error {
	var once sync.Once
	return func(ctx context.Context) error {
		last := false
		once.Do(func() {
			sp.owner.mu.Lock()
			sp.refs--
			if last = sp.refs == 0; last && sp.owner.byID[sp.id] == sp {
				delete(sp.owner.byID, sp.id)
			}
			sp.owner.mu.Unlock()
		})
		if !last {
			return nil
		}
		sp.mu.Lock()
		defer sp.mu.Unlock()
		if sp.stopped {
			return nil
		}
		sp.stopped = true
		return sp.p.shutdown(ctx)
	}
}
