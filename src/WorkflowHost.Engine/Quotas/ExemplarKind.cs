using System.ComponentModel;

namespace WorkflowHost.Engine.Quotas;

/// <summary>The kind of an exemplar (domain.md glossary: tập thể / cá nhân / hộ gia đình; mô hình).</summary>
public enum ExemplarKind
{
    /// <summary>A collective (tập thể).</summary>
    [Description("tập thể")]
    Collective,
    /// <summary>An individual (cá nhân).</summary>
    [Description("cá nhân")]
    Individual,
    /// <summary>A household (hộ gia đình).</summary>
    [Description("hộ gia đình")]
    Household,
    /// <summary>A model (mô hình).</summary>
    [Description("mô hình")]
    Model,
}
