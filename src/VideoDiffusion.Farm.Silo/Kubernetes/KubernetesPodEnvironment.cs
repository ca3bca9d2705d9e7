namespace VideoDiffusion.Farm.Silo.Kubernetes;

/// <summary>
/// Where this pod is and how it reaches the Kubernetes API from inside the cluster: the API server from
/// <c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c>, the service account's token and CA, the pod's namespace and name
/// (<c>POD_NAMESPACE</c>, <c>POD_NAME</c> from the downward API, else the service account's namespace file and the host name).
/// </summary>
public sealed record KubernetesPodEnvironment(string ApiHost, int ApiPort, string Namespace, string PodName, string TokenPath, string CaPath)
{
    public const string ServiceAccountFolder = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The API server's base address; an IPv6 host is bracketed.</summary>
    public Uri ApiServer => new($"https://{(ApiHost.Contains(':') ? $"[{ApiHost}]" : ApiHost)}:{ApiPort}");

    /// <summary>This process's pod, or why it is not running in one (<paramref name="reason"/>, one line).</summary>
    public static KubernetesPodEnvironment? Detect(out string reason) =>
        Detect(Environment.GetEnvironmentVariable, File.Exists, path => File.ReadAllText(path).Trim(), Environment.MachineName, out reason);

    /// <summary>The same from given sources (tests pass their own).</summary>
    public static KubernetesPodEnvironment? Detect(Func<string, string?> variable, Func<string, bool> fileExists, Func<string, string> readFile,
        string hostName, out string reason)
    {
        var host = variable("KUBERNETES_SERVICE_HOST");
        var token = Path.Combine(ServiceAccountFolder, "token");
        var ca = Path.Combine(ServiceAccountFolder, "ca.crt");
        var namespaceFile = Path.Combine(ServiceAccountFolder, "namespace");
        if (string.IsNullOrEmpty(host))
        {
            reason = "KUBERNETES_SERVICE_HOST is not set";
            return null;
        }
        if (!int.TryParse(variable("KUBERNETES_SERVICE_PORT") ?? "443", out var port))
        {
            reason = $"KUBERNETES_SERVICE_PORT is not a port ('{variable("KUBERNETES_SERVICE_PORT")}')";
            return null;
        }
        if (!fileExists(token) || !fileExists(ca))
        {
            reason = $"no service-account token and CA at {ServiceAccountFolder} (automountServiceAccountToken off?)";
            return null;
        }
        var ns = variable("POD_NAMESPACE") is { Length: > 0 } fromEnv ? fromEnv : fileExists(namespaceFile) ? readFile(namespaceFile) : null;
        if (string.IsNullOrEmpty(ns))
        {
            reason = $"the pod's namespace is unknown (neither POD_NAMESPACE nor {namespaceFile})";
            return null;
        }
        reason = "";
        return new KubernetesPodEnvironment(host, port, ns, variable("POD_NAME") is { Length: > 0 } pod ? pod : hostName, token, ca);
    }
}
