using System.CommandLine;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Cli.Cluster;
using VideoDiffusion.Farm.Cli.Commands;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;

var root = new RootCommand("VideoDiffusion.Farm: long videos from prompts, denoised in overlapping windows")
{
    RenderCommand.Create(),
    BenchCommand.Create(),
    BenchScaleCommand.Create(),
    EvalModelCommand.Create(),
};
foreach (var command in ClusterCommands.Create())
{
    root.Subcommands.Add(command);
}
ClusterCommands.AddConnectionOptions(root);
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (GatewayException e)
{
    Console.Error.WriteLine(e.Field.Length > 0 ? $"error: {e.Field}: {e.Message}" : $"error: {e.Message}");
    return e.Status == 404 ? 4 : 5;
}
catch (HttpRequestException e)
{
    Console.Error.WriteLine($"error: gateway unreachable: {e.Message}");
    return 6;
}
catch (PlanException e)
{
    Console.Error.WriteLine($"error: {e.Field}: {e.Message}");
    return 2;
}
catch (JobRejectedException e)
{
    // what the farm refused in a job this process submitted to its own silos (bench-scale's runs)
    Console.Error.WriteLine($"error: {e.Field}: {e.Message}");
    return e.Field == "model" ? 3 : 2;
}
catch (ModelLoadException e)
{
    Console.Error.WriteLine($"error: model: {e.Message}");
    return 3;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}");
    return 1;
}
catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
