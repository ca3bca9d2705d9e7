using System.CommandLine;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Cli.Cluster;
using VideoDiffusion.Farm.Cli.Terminal;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>
/// The commands that talk to a cluster through its gateway: submit, status, watch, cancel, download, jobs, top.
/// The gateway and key come from <c>--gateway</c>/<c>--api-key</c> or <c>FARM_GATEWAY</c>/<c>FARM_API_KEY</c>.
/// </summary>
public static class ClusterCommands
{
    public const string GatewayVariable = "FARM_GATEWAY";
    public const string ApiKeyVariable = "FARM_API_KEY";

    private static readonly Option<string?> Gateway = new("--gateway") { Description = $"Gateway URL (default ${GatewayVariable}, else http://127.0.0.1:8080)", Recursive = true };
    private static readonly Option<string?> ApiKey = new("--api-key") { Description = $"API key (default ${ApiKeyVariable})", Recursive = true };

    public static IEnumerable<Command> Create() => [Submit(), Status(), Watch(), Cancel(), Download(), Jobs(), FarmTopCommand.Create()];

    /// <summary>Adds the shared connection options to the root command (they apply to every sub-command).</summary>
    public static void AddConnectionOptions(RootCommand root)
    {
        root.Options.Add(Gateway);
        root.Options.Add(ApiKey);
    }

    private static Command Submit()
    {
        var options = new RenderOptions();
        var format = new Option<string>("--format") { Description = "mp4 | y4m", DefaultValueFactory = _ => "mp4" };
        var priority = new Option<int?>("--priority") { Description = "Job priority, -10 to 10" };
        var idempotency = new Option<string?>("--idempotency-key") { Description = "Retrying with the same key returns the same job (default: a new key)" };
        var watch = new Option<bool>("--watch") { Description = "Follow the job's progress until it finishes" };
        var output = new Option<string?>("--out", "-o") { Description = "With --watch: download the video here when done" };
        var command = new Command("submit", "Submit a job to a cluster and print its id");
        options.AddTo(command, local: false);
        foreach (var option in new Option[] { format, priority, idempotency, watch, output })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (result, cancellation) =>
        {
            var model = result.GetValue(options.Model);
            var request = options.ToJobRequest(result) with { Priority = result.GetValue(priority) ?? 0, Format = result.GetValue(format)! };
            if (model is not null)
            {
                request = request with { Model = Path.GetFileName(model.TrimEnd('/')) };
            }
            using var client = Connect(result);
            var job = await client.SubmitAsync(request, result.GetValue(idempotency) ?? Guid.NewGuid().ToString("N"), cancellation);
            Console.WriteLine(job.Id);
            if (!result.GetValue(watch))
            {
                return 0;
            }
            var code = await WatchAsync(client, job.Id, cancellation);
            if (code == 0 && result.GetValue(output) is { } path)
            {
                Console.Error.WriteLine($"downloaded {await client.DownloadAsync(job.Id, path, cancellation)} bytes to {path}");
            }
            return code;
        });
        return command;
    }

    private static Command Status() => JobCommand("status", "Show a job's state, progress and ETA", async (client, id, cancellation) =>
    {
        var job = await client.StatusAsync(id, cancellation);
        Console.WriteLine($"{job.Id}  {job.State}  {job.Progress:P0}  {job.WindowsDone}/{job.WindowsTotal} windows  " +
                          (job.EtaSeconds is { } eta && !job.IsFinished ? $"~{eta:F0}s left  " : "") + job.Prompt);
        if (job.ModelHash.Length > 0)
        {
            Console.WriteLine($"model content hash: {job.ModelHash}");
        }
        if (job.Waiting is { } waiting)
        {
            Console.WriteLine($"waiting: {waiting}");
        }
        if (job.Error is { } error)
        {
            Console.WriteLine($"error: {error}");
        }
        return 0;
    });

    private static Command Watch() =>
        JobCommand("watch", "Follow a job's progress until it finishes; reconnects when the gateway goes away", WatchAsync);

    private static Command Cancel() => JobCommand("cancel", "Cancel a job", async (client, id, cancellation) =>
    {
        var job = await client.CancelAsync(id, cancellation);
        Console.WriteLine($"{job.Id}  {job.State}");
        return 0;
    });

    /// <summary>A command that acts on one job id through the gateway.</summary>
    private static Command JobCommand(string name, string description, Func<GatewayClient, string, CancellationToken, Task<int>> action)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var command = new Command(name, description) { id };
        command.SetAction(async (result, cancellation) =>
        {
            using var client = Connect(result);
            return await action(client, result.GetValue(id)!, cancellation);
        });
        return command;
    }

    private static Command Download()
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var output = new Option<string>("--out", "-o") { Description = "Where to save the video", Required = true };
        var command = new Command("download", "Download a finished job's video") { id, output };
        command.SetAction(async (result, cancellation) =>
        {
            using var client = Connect(result);
            var path = result.GetValue(output)!;
            Console.WriteLine($"{await client.DownloadAsync(result.GetValue(id)!, path, cancellation)} bytes -> {path}");
            return 0;
        });
        return command;
    }

    private static Command Jobs()
    {
        var command = new Command("jobs", "List your jobs, newest first");
        command.SetAction(async (result, cancellation) =>
        {
            using var client = Connect(result);
            foreach (var job in (await client.JobsAsync(cancellation)).Jobs)
            {
                Console.WriteLine($"{job.Id}  {job.State,-9}  {job.Progress,4:P0}  {job.SubmittedAt:u}  {job.Prompt}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Follows the event stream; on a broken connection waits and reconnects until the job finishes.</summary>
    private static async Task<int> WatchAsync(GatewayClient client, string id, CancellationToken cancellation)
    {
        var display = ProgressDisplay.ForConsole();
        var delay = TimeSpan.FromMilliseconds(500);
        string? waiting = null;
        while (true)
        {
            try
            {
                await foreach (var job in client.EventsAsync(id, cancellation))
                {
                    delay = TimeSpan.FromMilliseconds(500);
                    if (job.Waiting is { } reason && reason != waiting)
                    {
                        display.Line($"{id} waits: {reason}");
                    }
                    waiting = job.Waiting;
                    var total = (long)job.WindowsTotal * job.Steps;
                    var done = (long)Math.Round(job.WindowProgress.Sum() * (double)job.Steps / 100);
                    display.Report(new RenderProgress(job.State == "running" ? job.Phase : job.State, job.IsFinished ? total : done, total));
                    if (job.IsFinished)
                    {
                        display.Line(job.State == "completed" ? $"{id} completed: {job.Video}" : $"{id} {job.State}: {job.Error}");
                        return job.State == "completed" ? 0 : 1;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is GatewayException g && g.Status >= 500))
            {
                display.Line($"connection to the gateway lost ({e.Message}); reconnecting in {delay.TotalSeconds:F1}s");
            }
            await Task.Delay(delay, cancellation);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    /// <summary>A client of the gateway named by the options or environment, with the caller's key.</summary>
    internal static GatewayClient Connect(ParseResult result)
    {
        var gateway = result.GetValue(Gateway) ?? Environment.GetEnvironmentVariable(GatewayVariable) ?? "http://127.0.0.1:8080";
        var key = result.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new PlanException("api-key", $"an API key is required: --api-key or ${ApiKeyVariable}");
        }
        if (!Uri.TryCreate(gateway.EndsWith('/') ? gateway : gateway + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new PlanException("gateway", $"'{gateway}' is not an http(s) URL");
        }
        return new GatewayClient(uri, key);
    }
}
