using VideoDiffusion.Farm.Diffusion.Plans;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// The state machine over a plan's windows, in plan order: which are done, how far each is, which may start. A chained
/// window starts after its predecessor; a window of an anchored pass starts as soon as the windows it is given as
/// context (its keyframes' owners) are done, so the pass follows its anchor pass down the clip instead of waiting for
/// all of it. A started window of a co-denoised pass waits at its first sync point for a neighbour that has not
/// started, and so runs at most as many steps ahead of the unstarted part as it is windows away from it; its slot
/// serves other work meanwhile.
/// </summary>
public sealed class JobTasks
{
    private readonly JobPlan _plan;
    private readonly WindowRef[] _windows;
    private readonly Dictionary<WindowRef, int> _index;

    /// <param name="done">Per window in plan order, shared with the persisted state.</param>
    /// <param name="progress">Percent per window in plan order, shared with the persisted state.</param>
    public JobTasks(JobPlan plan, bool[] done, byte[] progress)
    {
        _plan = plan;
        _windows = plan.Windows.ToArray();
        _index = _windows.Select((w, i) => (w, i)).ToDictionary(x => x.w, x => x.i);
        if (done.Length != _windows.Length || progress.Length != _windows.Length)
        {
            throw new ArgumentException($"the job's state tracks {done.Length} windows but its plan has {_windows.Length}");
        }
        Done = done;
        Progress = progress;
    }

    /// <summary>The plan the tasks come from.</summary>
    public JobPlan Plan => _plan;

    public bool[] Done { get; }
    public byte[] Progress { get; }
    public int Count => _windows.Length;
    public bool AllDone => Done.All(d => d);

    /// <summary>Every window of the plan, in plan order.</summary>
    public IReadOnlyList<WindowRef> Windows => _windows;

    /// <summary>The window's position in plan order, or −1 for a window the plan does not have.</summary>
    public int IndexOf(WindowRef window) => _index.GetValueOrDefault(window, -1);

    /// <summary>Unfinished windows whose dependencies are done.</summary>
    public IEnumerable<WindowRef> Ready()
    {
        var offset = 0;
        foreach (var pass in _plan.Passes)
        {
            var count = pass.Windows.Windows.Count;
            for (var i = 0; i < count; i++)
            {
                if (Done[offset + i])
                {
                    continue;
                }
                if (_plan.DependenciesOf(_windows[offset + i]).All(d => Done[_index[d]]))
                {
                    yield return _windows[offset + i];
                }
                if (pass.Chained)
                {
                    break; // the rest of the chain waits for this one
                }
            }
            offset += count;
        }
    }

    /// <summary>The pass the job is in: the first with an unfinished window (the last one when all are done).</summary>
    public string CurrentPass => _windows.Where((_, i) => !Done[i]).Select(w => w.Pass).FirstOrDefault() ?? _plan.Output.Name;

    /// <summary>Per-window percent of one pass.</summary>
    public byte[] PassProgress(string pass) => _windows.Select((w, i) => (w, i)).Where(x => x.w.Pass == pass).Select(x => Progress[x.i]).ToArray();

    /// <summary>Share of the job's window-steps done (the first frame's counted once the plan exists); never goes back.</summary>
    public double Fraction
    {
        get
        {
            var steps = _plan.Spec.Steps;
            var done = _plan.FirstFrameWindowSteps + Progress.Sum(p => p * (double)steps / 100);
            return _plan.WindowSteps == 0 ? 1 : Math.Clamp(done / _plan.WindowSteps, 0, 1);
        }
    }
}
