namespace EarlyBert.Training.Tests.Training;

/// <summary>A 50-line ham/spam CSV that tiny models learn from within a few steps, shared by the job tests.</summary>
internal static class SmallTextData
{
    /// <summary>Writes <c>small.csv</c> into <paramref name="folder"/> and returns its path.</summary>
    public static string Write(string folder)
    {
        var path = Path.Combine(folder, "small.csv");
        var lines = new List<string> { "text,label" };
        string[] good = ["the meeting moves to monday", "please review the attached report", "lunch at noon with the team", "notes from the call are below"];
        string[] bad = ["win a free prize now", "cheap pills click here", "you are a winner claim money", "limited offer buy now"];
        for (var i = 0; i < 25; i++)
        {
            lines.Add($"\"{good[i % 4]} {i}\",ham");
            lines.Add($"\"{bad[i % 4]} {i}\",spam");
        }
        File.WriteAllLines(path, lines);
        return path;
    }
}
