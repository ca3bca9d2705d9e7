using System.Diagnostics;
using System.Diagnostics.Metrics;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Telemetry;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// What the farm's instruments and spans say about a real job on the four-silo test cluster: the counters agree with
/// the executors' own figures, and one trace follows the job onto every silo its windows ran on.
/// </summary>
[Collection(FarmClusterCollection.Name)]
public sealed class FarmTelemetryTests(FarmClusterFixture fixture)
{
    [Fact]
    public async Task CountersAgreeWithTheExecutorsAndOneTraceFollowsTheJobAcrossSilos()
    {
        var spans = new List<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FarmTelemetryNames.ActivitySource || FarmTelemetryNames.OrleansActivitySources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == FarmTelemetryNames.ActivitySource)
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(tracing);
        var measured = new Dictionary<string, double>();
        var utilisation = new List<double>();
        using var metrics = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == FarmTelemetryNames.Meter)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        metrics.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (measured)
            {
                if (instrument.Name == "farm.accelerator.utilization")
                {
                    utilisation.Add(value);
                }
                measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
            }
        });
        metrics.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (measured)
            {
                measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
            }
        });
        metrics.Start();

        var before = fixture.ExecutorStatistics().ToList();
        var jobId = Guid.NewGuid().ToString("N");
        var request = new RenderJobRequest
        {
            Prompt = "a red ball moving right on the beach", Seconds = 14, Steps = 6, Format = "y4m", Scale = 1, Seed = 5,
        };
        await fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId).Submit(request);
        var status = await FarmJobs.WaitAsync(fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(6), polled: () => metrics.RecordObservableInstruments());
        Assert.True(status.State == JobState.Completed, status.Error);
        var after = fixture.ExecutorStatistics().ToList();

        long Delta(Func<Execution.ExecutorStatistics, long> of) => after.Sum(a => of(a.Statistics)) - before.Sum(b => of(b.Statistics));
        var busy = after.Sum(a => a.Statistics.BusyTime.TotalSeconds) - before.Sum(b => b.Statistics.BusyTime.TotalSeconds);
        lock (measured)
        {
            Assert.Equal(Delta(s => s.WindowSteps), (long)measured["farm.window_steps"]);
            Assert.InRange(measured["farm.accelerator.busy"], busy * 0.99, busy * 1.01 + 0.01);
            Assert.Equal(1, measured["farm.jobs.finished"]);
            Assert.Equal(status.Result!.Frames, measured["farm.job.frames"]);
            Assert.All(utilisation, u => Assert.InRange(u, 0, 1));
            Assert.Contains(utilisation, u => u > 0);
        }

        List<Activity> ours;
        lock (spans)
        {
            ours = spans.ToList();
        }
        var job = Assert.Single(ours, s => s.OperationName == "job" && (string?)s.GetTagItem("farm.job.id") == jobId);
        var passes = ours.Where(s => s.OperationName == "window.pass" && (string?)s.GetTagItem("farm.job.id") == jobId).ToList();
        Assert.True(passes.Count >= status.WindowsTotal, $"{passes.Count} window-pass spans for {status.WindowsTotal} windows");
        Assert.All(passes, pass => Assert.Equal(job.TraceId, pass.TraceId));
        Assert.True(passes.Select(p => p.GetTagItem("farm.silo")).Distinct().Count() >= 2, "the job's windows ran on one silo only");
        var passIds = passes.Select(p => p.SpanId).ToHashSet();
        var batches = ours.Where(s => s.OperationName == "executor.batch" && s.Links.Any(l => passIds.Contains(l.Context.SpanId))).ToList();
        Assert.NotEmpty(batches);
        Assert.Equal(Delta(s => s.WindowSteps), batches.Sum(b => b.Links.Count()));
    }
}
