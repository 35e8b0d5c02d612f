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
  const isObjectValue = (value) => value && typeof value === "object" && !Array.isArray(value)
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
      return {
        index: problem.index,
        exact: rest.length === 0,
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
    startval: isObjectValue(initial.value) ? initial.value : undefined,
    theme: "django",
    iconlib: "django",
    display_required_only: true,
    show_errors: "always",
    disable_edit_json: true,
    disable_collapse: false,
    prompt_before_delete: false,
  })
  window.metadataEditor = editor
  const notice = document.getElementById("me-form-notice")

  // Keys the form cannot show (a misspelt entity, a key Procore does not know): the form would
  // drop them, so while the JSON has any, the form is read-only and says which; the JSON keeps
  // them, and the problems list says what is wrong with them.
  const unshown = (typed, shown, path = []) => {
    if (!typed || typeof typed !== "object" || Array.isArray(typed)) return []
    if (!shown || typeof shown !== "object") return []
    return Object.keys(typed).flatMap((key) =>
      key in shown ? unshown(typed[key], shown[key], [...path, key]) : [[...path, key].join(".")],
    )
  }
  const isObject = isObjectValue
  // ``typed`` is what the JSON holds now; undefined while it is not a JSON object, when the form
  // would show something else than the text and must not write over it.
  const guard = (typed) => {
    let why = ""
    if (!isObject(typed)) {
      why = "The JSON beside is not a valid document yet; the form follows it again once it is."
    } else {
      const hidden = unshown(typed, editor.getValue())
      if (hidden.length) {
        why = `The form cannot show ${hidden.join(", ")}: fix or remove ${hidden.length === 1 ? "it" : "them"} in the JSON, then the form can be used again.`
      }
    }
    notice.hidden = !why
    notice.textContent = why
    if (why || config.readonly) editor.disable()
    else editor.enable()
  }
  editor.on("ready", () => {
    guard(initial.value)
    // A problem shown at its field is listed by path among the live problems below the JSON
    // (until its value changes); the others stay in the server's list.
    for (const problem of placed) {
      if (problem.exact && editor.getEditor(problem.path)) {
        document.querySelector(`#me-problems li[data-index="${problem.index}"]`)?.remove()
      }
    }
  })

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
    touched = false // the person types in the JSON now: the form must not write over it
    clearTimeout(timer)
    timer = setTimeout(() => {
      const parsed = parse(textarea.value)
      if (parsed.error) {
        syntax.textContent = `Not valid JSON yet: ${parsed.error}`
        guard(undefined)
        return
      }
      if (!isObject(parsed.value)) {
        syntax.textContent = 'The document must be an object: { "settings": { … } }.'
        guard(undefined)
        return
      }
      syntax.textContent = ""
      touched = false
      editor.setValue(parsed.value)
      guard(parsed.value)
    }, 300)
  })
  if (initial.error) syntax.textContent = `Not valid JSON: ${initial.error}`
})()
