using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Cli.Benchmarks;
using VideoDiffusion.Farm.Cli.Rendering;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>
/// <c>farm bench-scale</c>: what N accelerators buy. Each configuration (N silos and one job; the largest N with
/// several concurrent jobs; a farm that grows mid-job) runs in a process of its own on simulated accelerators, and one
/// table compares makespan with the ideal, efficiency, utilisation, messages and memory.
/// </summary>
public static class BenchScaleCommand
{
    private const string RunOption = "--run";

    /// <summary>Most silos one configuration starts, all in one process.</summary>
    private const int MaxSilos = 256;

    private static readonly string[] Columns =
    [
        "silos", "jobs", "windows/job", "window-steps", "makespan s", "ideal s", "critical path s", "efficiency", "utilisation",
        "messages/window-step", "job-grain calls/job", "peak RSS MB (per silo)", "moves", "recomputed",
    ];

    public static Command Create()
    {
        var silos = new Option<string>("--silos") { Description = "Comma-separated silo counts, one slot each", DefaultValueFactory = _ => "1,4,16,64" };
        var seconds = new Option<double>("--seconds") { Description = "Clip length of each job", DefaultValueFactory = _ => 600 };
        var concurrent = new Option<int>("--concurrent-jobs") { Description = "Then this many jobs at once on the most silos (0: skip)", DefaultValueFactory = _ => 4 };
        var scaleOut = new Option<string>("--scale-out") { Description = "START+ADDED: start with START silos, add ADDED at 25 % of the job, against START alone ('' to skip)", DefaultValueFactory = _ => "4+12" };
        var model = new Option<string?>("--model") { Description = "Model folder or name (default synthetic-wan-shape)" };
        var steps = new Option<int?>("--steps") { Description = "Sampler steps (default: the model's)" };
        var accelerator = new Option<string>("--accelerator") { Description = "simulated (the model's simulated-accelerator.json) or cpu", DefaultValueFactory = _ => "simulated" };
        var timeScale = new Option<double?>("--time-scale") { Description = "Wall seconds per simulated device second (default: the profile's)" };
        var anchors = new Option<KeyframeAnchoring>("--anchors") { Description = "Keyframe anchoring of each job: auto (the default a user gets) | keyframes | none", DefaultValueFactory = _ => KeyframeAnchoring.Auto };
        var timeline = new Option<double?>("--timeline") { Description = "Every this many seconds, print each silo's windows, queued steps, busy share and steps run (standard error)" };
        var run = new Option<string?>(RunOption) { Hidden = true };
        var command = new Command("bench-scale", "Benchmark: parallel efficiency at N silos with simulated accelerators, concurrent jobs, scale-out mid-job")
        {
            silos, seconds, concurrent, scaleOut, model, steps, accelerator, timeScale, anchors, timeline, run,
        };
        command.SetAction(async (result, cancellation) =>
        {
            if (result.GetValue(run) is { } one)
            {
                // a child process: one configuration, its result as the last line, then exit (the run stopped its jobs and slots)
                var measured = await ScaleRun.RunAsync(JsonSerializer.Deserialize<ScaleRunOptions>(one)!, cancellation);
                Console.WriteLine(JsonSerializer.Serialize(measured));
                Environment.Exit(0);
            }
            var baseOptions = new ScaleRunOptions
            {
                Silos = 1,
                Seconds = result.GetValue(seconds),
                ModelFolder = ModelLocator.Resolve(result.GetValue(model) ?? "synthetic-wan-shape"),
                ExecutionProvider = result.GetValue(accelerator)!,
                Steps = result.GetValue(steps),
                TimeScale = result.GetValue(timeScale),
                Anchors = result.GetValue(anchors),
                TimelineSeconds = result.GetValue(timeline),
            };
            var counts = OptionChecks.WholeNumbers(result.GetValue(silos)!, "silos", 1, MaxSilos);
            var jobs = result.GetValue(concurrent);
            var growth = ScaleOutOf(result.GetValue(scaleOut) ?? "");
            OptionChecks.Require(jobs >= 0, "concurrent-jobs", $"concurrent jobs must be 0 or more (got {jobs})");
            OptionChecks.Require(baseOptions.ExecutionProvider is "simulated" or "cpu", "accelerator", $"accelerator must be simulated or cpu (got '{baseOptions.ExecutionProvider}')");
            OptionChecks.Require(baseOptions.TimeScale is null or (> 0 and <= 1000), "time-scale", $"time scale must be above 0 and at most 1000 (got {baseOptions.TimeScale})");
            OptionChecks.Require(baseOptions.TimelineSeconds is null or (>= 0.1 and <= 3600), "timeline", $"timeline must be between 0.1 and 3600 seconds (got {baseOptions.TimelineSeconds})");
            ScaleRun.Validate(baseOptions);
            var configurations = counts.Select(n => baseOptions with { Silos = n }).ToList();
            if (jobs > 1)
            {
                configurations.Add(baseOptions with { Silos = counts.Max(), Jobs = jobs });
            }
            if (growth is var (start, added))
            {
                if (!counts.Contains(start))
                {
                    configurations.Add(baseOptions with { Silos = start });
                }
                configurations.Add(baseOptions with { Silos = start, AddSilos = added });
            }
            Console.WriteLine($"model {Path.GetFileName(baseOptions.ModelFolder)}, {baseOptions.Seconds} s clips, anchors {baseOptions.Anchors.ToString().ToLowerInvariant()}, accelerator {baseOptions.ExecutionProvider}; one process per row");
            Console.WriteLine($"| {string.Join(" | ", Columns)} |");
            Console.WriteLine($"|{string.Concat(Enumerable.Repeat(" --- |", Columns.Length))}");
            var results = new List<ScaleRunResult>();
            var failed = 0;
            foreach (var configuration in configurations)
            {
                if (await RunChildAsync(configuration, cancellation) is not { } r)
                {
                    failed++;
                    continue; // the row says why; the other configurations still run
                }
                results.Add(r);
                var silosText = r.SilosAtEnd == r.Silos ? $"{r.Silos}" : $"{r.Silos} → {r.SilosAtEnd}";
                var rss = r.PeakWorkingSetBytes / 1048576.0;
                Console.WriteLine(FormattableString.Invariant(
                    $"| {silosText} | {r.Jobs} | {r.WindowsPerJob} | {r.WindowSteps} | {r.MakespanSeconds:F1} | {r.IdealSeconds:F1} | {r.CriticalPathSeconds:F1} | {r.Efficiency:P1} | {r.Utilisation:P1} | {r.MessagesPerWindowStep:F2} | {r.JobGrainCallsPerJob:F0} | {rss:F0} ({rss / r.SilosAtEnd:F0}) | {r.WindowMoves} | {r.RecomputedSteps} |"));
            }
            if (results.FirstOrDefault(r => r.SilosAtEnd > r.Silos) is { } grown && results.FirstOrDefault(r => r.Silos == grown.Silos && r.SilosAtEnd == r.Silos && r.Jobs == 1) is { } fixedRun)
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"scale-out: {grown.Silos} → {grown.SilosAtEnd} silos at 25 % finishes in {grown.MakespanSeconds:F1} s against {fixedRun.MakespanSeconds:F1} s without: {fixedRun.MakespanSeconds / grown.MakespanSeconds:F2}x sooner"));
            }
            if (results.Any(r => r.Simulated))
            {
                Console.WriteLine("simulated accelerators: the timing is the profile's, the videos are not renders");
                Console.WriteLine("ideal: busy time ÷ slots; critical path: chained windows one after another and one window of every other pass, the least any number of silos could take");
            }
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary><c>--scale-out START+ADDED</c>, or null for '' (no scale-out run).</summary>
    private static (int Start, int Added)? ScaleOutOf(string text)
    {
        if (text.Trim().Length == 0)
        {
            return null;
        }
        var numbers = OptionChecks.WholeNumbers(text, "scale-out", 1, MaxSilos, '+');
        OptionChecks.Require(numbers.Count == 2 && numbers.Sum() <= MaxSilos, "scale-out",
            $"scale-out must be START+ADDED with at most {MaxSilos} silos in all, or '' for none (got '{text}')");
        return (numbers[0], numbers[1]);
    }

    /// <summary>Runs one configuration in a process of its own; null (after printing a row saying why) when it failed.</summary>
    private static async Task<ScaleRunResult?> RunChildAsync(ScaleRunOptions options, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BenchScaleCommand).Assembly.Location);
        }
        foreach (var argument in new[] { "bench-scale", RunOption, JsonSerializer.Serialize(options) })
        {
            start.ArgumentList.Add(argument);
        }
        using var child = Process.Start(start)!;
        await using var kill = cancellation.Register(() => child.Kill(entireProcessTree: true));
        var output = child.StandardOutput.ReadToEndAsync(cancellation);
        var errors = ForwardTimelineAsync(child.StandardError, options.TimelineSeconds is not null, cancellation);
        await child.WaitForExitAsync(cancellation);
        // the result is the run's last JSON line; the silos' own log lines may follow it
        var result = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (child.ExitCode == 0 && result is not null)
        {
            return JsonSerializer.Deserialize<ScaleRunResult>(result)!;
        }
        // exit 137 is SIGKILL, on a machine without a supervisor almost always the kernel's out-of-memory killer
        var why = child.ExitCode == 137 ? "killed (exit 137: out of memory, most likely; every silo of the row shares this machine's memory)" : $"failed (exit {child.ExitCode})";
        // the row keeps the header's cells, so the table stays one table in a Markdown viewer
        var cells = new[] { $"{options.Silos}{(options.AddSilos > 0 ? $" → {options.Silos + options.AddSilos}" : "")}", $"{options.Jobs}", why }
            .Concat(Enumerable.Repeat("", Columns.Length - 3));
        Console.WriteLine($"| {string.Join(" | ", cells)} |");
        var log = ((await errors) + "\n" + (await output)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await Console.Error.WriteLineAsync($"bench-scale run with {options.Silos} silos {why}; the last lines it wrote:");
        await Console.Error.WriteLineAsync(string.Join('\n', log.TakeLast(20)));
        return null;
    }

    /// <summary>Reads a run's standard error to the end, passing its timeline lines on as they come; returns the rest.</summary>
    private static async Task<string> ForwardTimelineAsync(StreamReader errors, bool timeline, CancellationToken cancellation)
    {
        var rest = new StringBuilder();
        while (await errors.ReadLineAsync(cancellation) is { } line)
        {
            if (timeline && line.StartsWith("t=", StringComparison.Ordinal))
            {
                await Console.Error.WriteLineAsync(line);
            }
            else
            {
                rest.AppendLine(line);
            }
        }
        return rest.ToString();
    }
}
