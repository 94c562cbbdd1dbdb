import MFABatchCore

/// `mfa-batch completion bash`: a completion script generated from the declarations.
struct CompletionCommand: Command {
    struct Options: ParsableArguments {
        var shell: String?

        static var declarations: [OptionDeclaration<Self>] {
            [.positional("SHELL", \.shell, help: "the shell: bash", completion: .choices(["bash"]))]
        }

        func validate() throws {
            if let shell, shell != "bash" {
                throw CLIError.invocation("SHELL '\(shell)' is not one of bash")
            }
        }
    }

    static let configuration = CommandConfiguration(
        words: ["completion"],
        summary: "print a shell completion script (bash)",
        discussion: """
            Prints a bash completion script for every command, option and value choice,
            generated from the same declarations as the help. Load it in the current shell
            with `source <(mfa-batch completion bash)`, or install it for everyone as
            /etc/bash_completion.d/mfa-batch.
            """,
        examples: ["source <(mfa-batch completion bash)",
                   "mfa-batch completion bash | sudo tee /etc/bash_completion.d/mfa-batch >/dev/null"])

    let console: Console

    init(options: Options, console: Console) throws {
        self.console = console
    }

    func run() throws -> ExitCode {
        console.out(BashCompletion.script(for: CommandTable.all), terminator: "")
        return .success
    }
}
