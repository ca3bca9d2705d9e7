using System.Diagnostics.Metrics;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>A job is planned once: each distinct prompt is encoded once per job, however many windows and segments use it.</summary>
[Collection(FarmClusterCollection.Name)]
public sealed class PlanOnceTests(FarmClusterFixture fixture)
{
    [Fact]
    public async Task PromptEncodingsPerJobEqualTheDistinctPrompts()
    {
        var encodings = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "VideoDiffusion.Farm" && instrument.Name == "farm.prompt.encodings")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var kind = "";
            foreach (var tag in tags)
            {
                kind = tag.Key == "kind" ? (string)tag.Value! : kind;
            }
            lock (encodings)
            {
                encodings[kind] = encodings.GetValueOrDefault(kind) + value;
            }
        });
        listener.Start();

        // three segments, two distinct prompts, 5 windows of 8 latent frames in two passes
        var request = new RenderJobRequest
        {
            Storyboard =
            [
                new StoryboardSegment("a red ball on the beach", 0, 2),
                new StoryboardSegment("a blue cube in space", 2, 4),
                new StoryboardSegment("a red ball on the beach", 4, 6),
            ],
            Steps = 2,
            Window = 8,
            Overlap = 2,
            Format = "y4m",
            Scale = 1,
        };
        var jobId = Guid.NewGuid().ToString("N");
        await fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId).Submit(request);
        var status = await FarmJobs.WaitAsync(fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(6));
        Assert.True(status.State == JobState.Completed, status.Error);
        Assert.True(status.WindowsTotal > 2, $"{status.WindowsTotal} windows");
        lock (encodings)
        {
            Assert.Equal(2, encodings.GetValueOrDefault("prompt"));
            Assert.Equal(1, encodings.GetValueOrDefault("unconditional"));
        }
    }
}
