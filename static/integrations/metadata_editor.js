/* The metadata editor: json-editor generates the form from our schema; the JSON beside it is
   what is saved. Each edit on one side is copied to the other. Problems the server found stay
   at their field (and at their path beside the JSON) until the value there changes. */
;(() => {
  const root = document.getElementById("metadata-editor")
  const holder = document.getElementById("me-form-holder")
  const configNode = document.getElementById("metadata-editor-config")
  if (!root || !holder || !configNode || typeof JSONEditor === "undefined") return
  const config = JSON.parse(configNode.textContent)
  const textarea = document.getElementById("me-json")
  const syntax = document.getElementById("me-json-syntax")
  const liveList = document.getElementById("me-live-problems")

  const parse = (text) => {
    try {
      return { value: JSON.parse(text) }
    } catch (error) {
      return { error: error.message }
    }
  }
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)
  const initial = parse(textarea.value)

  // Each server problem, placed at the deepest field that exists in the document.
  const placed = config.problems
    .map((problem, index) => ({ ...problem, index }))
    .filter((problem) => problem.parts && problem.parts.length)
    .map((problem) => {
      let value = initial.value
      const found = []
      for (const part of problem.parts) {
        if (value === null || typeof value !== "object" || !(part in value)) break
        value = value[part]
        found.push(part)
      }
      const rest = problem.parts.slice(found.length)
      if (!rest.length) {
        // Shown at its field and, while it lasts, in the list of problems by path below.
        document.querySelector(`#me-problems li[data-index="${problem.index}"]`)?.remove()
      }
      return {
        path: ["root", ...found].join("."),
        value,
        message: rest.length ? `${rest.join(".")}: ${problem.message}` : problem.message,
      }
    })
  JSONEditor.defaults.custom_validators.push((schema, value, path) =>
    placed
      .filter((problem) => problem.path === path && same(problem.value, value))
      .map((problem) => ({ path, property: "server", message: problem.message.replace(/\.$/, "") })),
  )

  const editor = new JSONEditor(holder, {
    schema: config.schema,
    startval: initial.value === undefined ? undefined : initial.value,
    theme: "django",
    iconlib: "django",
    display_required_only: true,
    show_errors: "always",
    disable_edit_json: true,
    disable_collapse: false,
    prompt_before_delete: false,
  })
  window.metadataEditor = editor
  if (config.readonly) editor.on("ready", () => editor.disable())

  const showLiveProblems = () => {
    liveList.replaceChildren(
      ...editor.validate().map((error) => {
        const item = document.createElement("li")
        item.className = "me-problem"
        const path = error.path.replace(/^root\.?/, "") || "(the document itself)"
        item.dataset.path = path
        const code = document.createElement("code")
        code.textContent = path
        item.append(code, `: ${error.message}`)
        return item
      }),
    )
  }

  // Form -> JSON, only once a person has touched the form (its first render changes nothing).
  let touched = false
  for (const kind of ["input", "change", "click"]) {
    holder.addEventListener(kind, () => {
      touched = true
    })
  }
  editor.on("change", () => {
    if (touched && !config.readonly) {
      textarea.value = JSON.stringify(editor.getValue(), null, 2)
      syntax.textContent = ""
    }
    showLiveProblems()
  })

  // JSON -> form, as soon as what is typed parses.
  let timer
  textarea.addEventListener("input", () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      const parsed = parse(textarea.value)
      if (parsed.error) {
        syntax.textContent = `Not valid JSON yet: ${parsed.error}`
        return
      }
      syntax.textContent = ""
      touched = false
      editor.setValue(parsed.value)
    }, 300)
  })
  if (initial.error) syntax.textContent = `Not valid JSON: ${initial.error}`
})()
