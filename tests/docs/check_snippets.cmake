cmake_minimum_required(VERSION 3.21)  # policies of a -P script, e.g. quoted if() arguments

# Fails when a code block of the documentation differs from the source file it claims to show.
# A block is claimed by an HTML comment on the line before its opening fence:
#
#   <!-- snippet: examples/first_detector/main.cpp -->
#   ```cpp
#   ...the file, verbatim...
#   ```
#
# The examples are compiled and run by CTest; this check extends that guarantee to the copies
# readers see. Run as: cmake -DROOT=<source dir> -P check_snippets.cmake
if(NOT ROOT)
  message(FATAL_ERROR "check_snippets.cmake: pass -DROOT=<gad source dir>")
endif()

file(GLOB docs "${ROOT}/docs/*.md")
# Only at the start of a line, so that prose may quote the marker.
set(marker "\n<!-- snippet: ")
set(checked 0)
set(failures "")
foreach(doc IN LISTS docs)
  file(READ "${doc}" text)
  string(PREPEND text "\n")
  while(TRUE)
    string(FIND "${text}" "${marker}" at)
    if(at EQUAL -1)
      break()
    endif()
    string(LENGTH "${marker}" marker_length)
    math(EXPR at "${at} + ${marker_length}")
    string(SUBSTRING "${text}" ${at} -1 text)
    string(FIND "${text}" " -->" end)
    string(FIND "${text}" "```" fence)
    if(end EQUAL -1 OR fence EQUAL -1)
      message(FATAL_ERROR "${doc}: a snippet marker without ' -->' or a code block after it")
    endif()
    string(SUBSTRING "${text}" 0 ${end} source)
    # The block starts on the line after the opening fence and ends before the closing one.
    string(SUBSTRING "${text}" ${fence} -1 text)
    string(FIND "${text}" "\n" eol)
    math(EXPR eol "${eol} + 1")
    string(SUBSTRING "${text}" ${eol} -1 text)
    string(FIND "${text}" "\n```" close)
    if(close EQUAL -1)
      message(FATAL_ERROR "${doc}: the code block showing ${source} is never closed")
    endif()
    math(EXPR close "${close} + 1")
    string(SUBSTRING "${text}" 0 ${close} block)
    string(SUBSTRING "${text}" ${close} -1 text)

    math(EXPR checked "${checked} + 1")
    if(NOT EXISTS "${ROOT}/${source}")
      string(APPEND failures "  ${doc}: shows '${source}', which does not exist\n")
      continue()
    endif()
    file(READ "${ROOT}/${source}" expected)
    if(NOT "${block}" STREQUAL "${expected}")
      string(APPEND failures "  ${doc}: the block differs from ${source}; paste the file again\n")
    endif()
  endwhile()
endforeach()

if(failures)
  message(FATAL_ERROR "documentation snippets out of date:\n${failures}")
endif()
if(checked EQUAL 0)
  message(FATAL_ERROR "no '<!-- snippet: ...' marker found under ${ROOT}/docs: the check checks nothing")
endif()
message(STATUS "${checked} documentation snippet(s) match their source files")
