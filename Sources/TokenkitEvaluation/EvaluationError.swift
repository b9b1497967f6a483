/// Why an evaluation could not run or its report could not be written. Every message names the
/// file concerned and what was expected.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// A corpus file (or parallel-corpus file) is missing, a directory, or cannot be read.
    case unreadableCorpus(path: String, reason: String)
    /// The parallel directory has no file for the reference language.
    case missingReference(directory: String, language: String)
    /// The parallel directory holds no `LANG.txt` file.
    case emptyParallelDirectory(String)
    /// Nothing to evaluate.
    case noTokenizers
    /// Nothing to measure: no corpus file and no parallel directory.
    case noCorpus
    /// A tokenizer refused a line (for instance an unknown token missing from its vocabulary).
    case tokenization(tokenizer: String, file: String, line: Int, message: String)
    /// The report directory or one of its files cannot be written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableCorpus(path, reason): return "\(path): cannot read the corpus (\(reason))"
        case let .missingReference(directory, language):
            return "\(directory): no \(language).txt for the reference language \(language) (give --reference-language)"
        case let .emptyParallelDirectory(directory): return "\(directory): no LANG.txt files in the parallel corpus directory"
        case .noTokenizers: return "no tokenizer to evaluate"
        case .noCorpus: return "no corpus file and no parallel corpus directory"
        case let .tokenization(tokenizer, file, line, message): return "\(file):\(line): \(tokenizer) cannot encode the line (\(message))"
        case let .unwritable(path, reason): return "\(path): cannot write the report (\(reason))"
        }
    }
}
