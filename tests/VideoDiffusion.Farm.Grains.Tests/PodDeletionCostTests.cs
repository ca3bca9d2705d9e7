using System.Text.Json;
using VideoDiffusion.Farm.Silo.Kubernetes;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// The silo's pod-deletion-cost decision and the Kubernetes API request it makes, and how a silo finds out whether
/// it runs in a pod. No API server runs here: the request is checked as built, not sent.
/// </summary>
public sealed class PodDeletionCostTests
{
    private static readonly KubernetesPodEnvironment Pod = new("10.96.0.1", 443, "render", "farm-silo-7d9f-abcde",
        "/var/run/secrets/kubernetes.io/serviceaccount/token", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");

    [Fact]
    public void AnIdleSiloCostsLessThanABusyOne()
    {
        Assert.Equal(PodDeletionCost.Idle, PodDeletionCost.For(queuedWindowSteps: 0, windowStepsSinceLastLook: 0));
        Assert.Equal(PodDeletionCost.Busy, PodDeletionCost.For(queuedWindowSteps: 3, windowStepsSinceLastLook: 0));
        Assert.Equal(PodDeletionCost.Busy, PodDeletionCost.For(queuedWindowSteps: 0, windowStepsSinceLastLook: 1));
        Assert.True(PodDeletionCost.Idle < PodDeletionCost.Busy);
    }

    [Fact]
    public void TheCostIsPublishedOnlyWhenItChangesAndAgainAfterAFailedPatch()
    {
        var tracker = new PodDeletionCostTracker(windowStepsAtStart: 100);
        Assert.Equal(PodDeletionCost.Idle, tracker.Look(queuedWindowSteps: 0, windowStepsDenoised: 100)); // the first look publishes
        tracker.Published(PodDeletionCost.Idle);
        Assert.Null(tracker.Look(0, 100));
        Assert.Equal(PodDeletionCost.Busy, tracker.Look(4, 100)); // work queued
        Assert.Equal(PodDeletionCost.Busy, tracker.Look(0, 130)); // the patch failed: asked again; steps were denoised
        tracker.Published(PodDeletionCost.Busy);
        Assert.Null(tracker.Look(2, 150));
        Assert.Null(tracker.Look(0, 160)); // nothing waits, but steps were denoised since the last look: still busy
        Assert.Equal(PodDeletionCost.Idle, tracker.Look(0, 160));
    }

    [Fact]
    public async Task ThePatchIsAJsonMergePatchOfTheOwnPodsAnnotation()
    {
        using var request = PodDeletionCost.PatchRequest(Pod, PodDeletionCost.Busy, "token-123");
        Assert.Equal(HttpMethod.Patch, request.Method);
        Assert.Equal("https://10.96.0.1/api/v1/namespaces/render/pods/farm-silo-7d9f-abcde", request.RequestUri!.ToString());
        Assert.Equal("application/merge-patch+json", request.Content!.Headers.ContentType!.ToString());
        Assert.Equal("Bearer token-123", request.Headers.Authorization!.ToString());
        using var body = JsonDocument.Parse(await request.Content.ReadAsStringAsync());
        var annotations = body.RootElement.GetProperty("metadata").GetProperty("annotations");
        Assert.Equal("1000", annotations.GetProperty("controller.kubernetes.io/pod-deletion-cost").GetString());
        Assert.Single(body.RootElement.EnumerateObject());
        Assert.Single(annotations.EnumerateObject());
    }

    [Fact]
    public void AnIpv6ApiServerIsBracketedAndAnOddPortKept()
    {
        var pod = Pod with { ApiHost = "fd00::1", ApiPort = 6443 };
        Assert.Equal("https://[fd00::1]:6443/api/v1/namespaces/render/pods/farm-silo-7d9f-abcde", PodDeletionCost.PodUri(pod).ToString());
    }

    [Fact]
    public void OutsideAPodTheReasonIsOneLine()
    {
        var none = KubernetesPodEnvironment.Detect(_ => null, _ => false, _ => "", "host", out var reason);
        Assert.Null(none);
        Assert.Equal("KUBERNETES_SERVICE_HOST is not set", reason);

        var variables = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };
        var noToken = KubernetesPodEnvironment.Detect(variables.GetValueOrDefault, _ => false, _ => "", "host", out reason);
        Assert.Null(noToken);
        Assert.Contains("no service-account token", reason);
        Assert.DoesNotContain('\n', reason);
    }

    [Fact]
    public void InAPodTheDownwardApiNamesThePodElseTheServiceAccountAndHost()
    {
        var variables = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };
        var fromFiles = KubernetesPodEnvironment.Detect(variables.GetValueOrDefault, _ => true, _ => "render", "farm-silo-1", out _);
        Assert.Equal(("render", "farm-silo-1", 443), (fromFiles!.Namespace, fromFiles.PodName, fromFiles.ApiPort));

        variables["POD_NAMESPACE"] = "gpu";
        variables["POD_NAME"] = "farm-silo-2";
        var fromEnvironment = KubernetesPodEnvironment.Detect(variables.GetValueOrDefault, _ => true, _ => "render", "host", out _);
        Assert.Equal(("gpu", "farm-silo-2"), (fromEnvironment!.Namespace, fromEnvironment.PodName));
    }
}
