using System.Reflection;
using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Artifacts;

namespace VideoDiffusion.Farm.Cluster.Tests.Helm;

/// <summary>Whether a <c>Farm__A__B</c> environment variable names a property of the options class its section binds.</summary>
public static class FarmSettingBinding
{
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Artifacts"] = typeof(ArtifactStoreOptions),
        ["Accelerator"] = typeof(AcceleratorOptions),
        ["Membership"] = typeof(Orleans.Configuration.ClusterMembershipOptions),
        ["Gateway"] = typeof(GatewayOptions),
        ["Telemetry"] = typeof(VideoDiffusion.Farm.ServiceDefaults.TelemetryOptions),
        ["Retention"] = typeof(VideoDiffusion.Farm.Grains.Hosting.RetentionOptions),
    };

    public static bool Binds(string variable)
    {
        var path = variable.Split("__")[1..];
        var sectioned = path.Length > 1 && Sections.ContainsKey(path[0]);
        var type = sectioned ? Sections[path[0]] : typeof(FarmClusterOptions);
        foreach (var part in sectioned ? path[1..] : path)
        {
            if (int.TryParse(part, out _) && type.IsGenericType)
            {
                type = type.GetGenericArguments()[0]; // an index into a list
                continue;
            }
            var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite)
            {
                return false;
            }
            type = property.PropertyType;
        }
        return true;
    }
}
