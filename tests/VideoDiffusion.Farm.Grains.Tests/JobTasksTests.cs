using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Tests.Shared;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Which windows of a plan may start: a chain one at a time, an anchored pass window by window as its anchors finish.</summary>
public sealed class JobTasksTests
{
    [Fact]
    public void AnAnchoredPassStartsEachWindowOnceTheKeyframesItHoldsAreDoneNotWhenTheWholeKeyframePassIs()
    {
        using var model = DiffusionModel.Load(RepositoryPaths.MoonwalkTiny);
        var spec = RenderJobSpec.Resolve(new RenderRequest { Prompt = "a yellow dog walking right on the moon", Seconds = 60, Seed = 9 }, model.Manifest);
        var plan = JobPlanner.Encode(spec, model.Manifest, model.TextEncoder.Encode);
        var keyframes = plan.Passes[0];
        Assert.True(keyframes.Chained && keyframes.Windows.Windows.Count >= 3, "the default 60 s plan has a chained keyframe pass of several windows");
        var windows = plan.Windows.ToList();
        var tasks = new JobTasks(plan, new bool[windows.Count], new byte[windows.Count]);

        Assert.Equal([new WindowRef(keyframes.Name, 0)], tasks.Ready());
        var mainStartedEarly = 0;
        for (var k = 0; k < keyframes.Windows.Windows.Count; k++)
        {
            tasks.Done[tasks.IndexOf(new WindowRef(keyframes.Name, k))] = true;
            var ready = tasks.Ready().ToList();
            Assert.All(ready, w => Assert.All(plan.DependenciesOf(w), d => Assert.True(tasks.Done[tasks.IndexOf(d)], $"{w} is ready before {d}")));
            var main = ready.Where(w => w.Pass != keyframes.Name).ToList();
            Assert.Equal(windows.Count(w => w.Pass != keyframes.Name && plan.DependenciesOf(w).All(d => tasks.Done[tasks.IndexOf(d)])), main.Count);
            if (k < keyframes.Windows.Windows.Count - 1)
            {
                Assert.Contains(new WindowRef(keyframes.Name, k + 1), ready); // the chain goes on meanwhile
                mainStartedEarly = Math.Max(mainStartedEarly, main.Count);
            }
        }
        Assert.InRange(mainStartedEarly, 1, plan.Output.Windows.Windows.Count - 1);
        Assert.Equal(plan.Output.Windows.Windows.Count, tasks.Ready().Count());
    }
}
