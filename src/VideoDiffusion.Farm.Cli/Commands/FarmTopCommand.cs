using System.CommandLine;
using VideoDiffusion.Farm.Cli.Cluster;
using VideoDiffusion.Farm.Cli.Terminal;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>
/// <c>farm top</c>: the gateway's farm view in the terminal, refreshed every 2 s (the screen is redrawn on a terminal,
/// tables follow one another when output is redirected) until Ctrl+C; <c>--once</c> prints one table.
/// </summary>
public static class FarmTopCommand
{
    /// <summary>How often the view is fetched again (the silos report at this pace).</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    /// <summary>Home the cursor and clear the screen.</summary>
    private const string ClearScreen = "\u001b[H\u001b[2J";

    public static Command Create()
    {
        var once = new Option<bool>("--once") { Description = "Print one table and exit" };
        var command = new Command("top", "Show the farm live: silos, slot utilisation, queues, running windows, your jobs") { once };
        command.SetAction(async (result, cancellation) =>
        {
            using var client = ClusterCommands.Connect(result);
            // the first view must arrive: an unreachable gateway or a refused key ends the command with its error
            var view = await client.FarmAsync(cancellation);
            if (result.GetValue(once))
            {
                Console.Write(FarmTable.Render(view));
                return 0;
            }
            var interactive = !Console.IsOutputRedirected;
            try
            {
                while (true)
                {
                    Console.Write((interactive ? ClearScreen : "") + FarmTable.Render(view) + (interactive ? "" : Environment.NewLine));
                    await Task.Delay(Refresh, cancellation);
                    view = await NextAsync(client, view, cancellation);
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return 0; // Ctrl+C
            }
        });
        return command;
    }

    /// <summary>The next view; while the gateway is away, the last one with a line saying so (it is asked again next time).</summary>
    private static async Task<Abstractions.Api.FarmView> NextAsync(GatewayClient client, Abstractions.Api.FarmView last, CancellationToken cancellation)
    {
        try
        {
            return await client.FarmAsync(cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is GatewayException g && g.Status >= 500))
        {
            Console.Error.WriteLine($"gateway unreachable ({e.Message}); showing the view of {last.At.ToLocalTime():HH:mm:ss}");
            return last;
        }
    }
}
